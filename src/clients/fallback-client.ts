/**
 * The Socket.io-style fallback as a browser's socket.io-client runs it,
 * reduced to what a subscriber does: Engine.IO v4 handshake over HTTP
 * long-polling, then the WebSocket upgrade (2probe / 3probe / 5), or polling
 * only when `pollingOnly` is set (or the server offers no upgrade); Socket.IO
 * v5 on top: CONNECT to the default namespace, one `subscribe` event with an
 * ack, then `message` events carrying the envelope. Server pings (`2`) are
 * answered with `3` on whichever transport is current. Works against
 * rtbench's /socket.io/ and against a real socket.io server.
 */
import net, { type Socket } from 'node:net';
import { requestHead } from './header-profiles.js';
import { HttpConnection } from './http-connection.js';
import { LoadClient, meterSocket } from './load-client.js';
import { clientFrame, OPCODE, type Frame } from './ws-frames.js';
import { upgradeSocket, type UpgradeHandlers } from './ws-handshake.js';

const SEPARATOR = '\x1e';
const PATH = '/socket.io/';
/** `42["message",` - the prefix of every hub message event. */
const MESSAGE_PREFIX = '42["message",';

interface Handshake {
  sid: string;
  upgrades: string[];
}

export class FallbackClient extends LoadClient {
  static readonly #upgradeHandlers: UpgradeHandlers<FallbackClient> = {
    onUpgraded: (client) => client.#probe(),
    // No upgrade: stay on polling, as socket.io-client does.
    onRefused: () => {},
    onFrame: (client, frame, receivedAt) => client.#onWsFrame(frame, receivedAt),
  };
  #sid = '';
  #poller: HttpConnection | undefined;
  #poster: HttpConnection | undefined;
  #posting = false;
  #outbox: string[] = [];
  #ws: Socket | undefined;
  /** Set once the probe went out: from then on no new poll is sent (the server releases the pending one with a noop). */
  #upgrading = false;
  #upgraded = false;
  /** `3probe` came back while a POST was in flight: `5` waits for it (see #finishUpgrade). */
  #probeAnswered = false;
  #closing = false;
  #body: Buffer[] = [];
  #status = 0;
  /** Set until the Engine.IO handshake answer arrived. */
  #awaitingHandshake = false;
  /** Which transport carries the session now. */
  transport: 'polling' | 'websocket' = 'polling';

  open(): Promise<void> {
    const opened = this.beginOpen();
    this.#awaitingHandshake = true;
    this.#poller = this.#httpConnection();
    this.#poller.send(requestHead(`${PATH}?EIO=4&transport=polling&t=${token()}`, this.hostHeader, this.env.settings.headers));
    return opened;
  }

  #onHandshake(handshake: Handshake): void {
    this.#sid = handshake.sid;
    // Socket.IO CONNECT to "/", then subscribe with an ack (id 0).
    this.#sendPacket('40');
    this.#sendPacket(`420${JSON.stringify(['subscribe', { channel: this.channel, cursor: this.tracker.last }])}`);
    this.#poll();
    if (!this.env.settings.pollingOnly && handshake.upgrades.includes('websocket')) this.#upgrade();
  }

  /** While opening, the open fails and the session is dropped; once open, the client fails. */
  #fail(error: Error): void {
    if (this.opening) {
      this.settleOpen(error);
      this.close();
    } else if (this.state === 'open') {
      this.failAfterOpen(error);
    }
  }

  close(): void {
    this.#closing = true;
    if (this.#ws && !this.#ws.destroyed) {
      this.#ws.write(clientFrame(OPCODE.text, Buffer.from('1')));
      this.#ws.end();
    }
    this.#poller?.socket.destroy();
    this.#poster?.socket.destroy();
    this.state = this.state === 'failed' ? 'failed' : 'closed';
  }

  #httpConnection(): HttpConnection {
    const connection: HttpConnection = new HttpConnection(this.env, this.target, {
      onHead: (head) => (this.#status = head.status),
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onPollAnswer(receivedAt),
      onClose: (error) => {
        if (this.#closing || this.#upgrading || this.#upgraded) return;
        if (this.state !== 'open') this.#fail(error ?? new Error('polling connection closed'));
        else this.#lost();
      },
    });
    return connection;
  }

  #poll(): void {
    if (this.#closing || this.#upgrading || this.#upgraded) return;
    this.#poller!.send(
      requestHead(`${PATH}?EIO=4&transport=polling&t=${token()}&sid=${this.#sid}`, this.hostHeader, this.env.settings.headers),
    );
  }

  #onPollAnswer(receivedAt: number): void {
    const body = Buffer.concat(this.#body).toString();
    this.#body = [];
    if (this.#status !== 200) {
      if (!this.#upgrading) this.#fail(new Error(`polling answered ${this.#status}: ${body.slice(0, 200)}`));
      return;
    }
    if (this.#awaitingHandshake) {
      this.#awaitingHandshake = false;
      if (body[0] !== '0') {
        this.#fail(new Error(`expected an Engine.IO open packet, got ${body.slice(0, 100)}`));
        return;
      }
      this.#onHandshake(JSON.parse(body.slice(1)) as Handshake);
      return;
    }
    for (const packet of body.split(SEPARATOR)) this.#onPacket(packet, receivedAt, true);
    this.#poll();
  }

  /** Sends one Engine.IO packet on the current transport. */
  #sendPacket(packet: string): void {
    if (this.#upgraded) {
      if (this.#ws?.writable) this.#ws.write(clientFrame(OPCODE.text, Buffer.from(packet)));
      return;
    }
    this.#outbox.push(packet);
    this.#flush();
  }

  #flush(): void {
    if (this.#posting || this.#outbox.length === 0 || this.#closing || this.#probeAnswered) return;
    const body = this.#outbox.splice(0).join(SEPARATOR);
    this.#posting = true;
    this.#poster ??= new HttpConnection(this.env, this.target, {
      onHead: () => {},
      onBody: () => {},
      onEnd: () => {
        this.#posting = false;
        if (this.#probeAnswered) this.#finishUpgrade();
        else this.#flush();
      },
      onClose: () => {
        this.#poster = undefined;
        this.#posting = false;
      },
    });
    const head = requestHead(
      `${PATH}?EIO=4&transport=polling&t=${token()}&sid=${this.#sid}`,
      this.hostHeader,
      this.env.settings.headers,
      `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`,
    ).replace(/^GET /, 'POST ');
    this.#poster.send(head + body);
  }

  #onPacket(packet: string, receivedAt: number, fromPolling = false): void {
    switch (packet[0]) {
      case '2': // ping
        this.#sendPacket('3');
        return;
      case '6': // noop: the poll released by the upgrade
      case '3':
        return;
      case '1': // close; on the polling side once upgrading, only the old transport closes
        if (!(fromPolling && (this.#upgrading || this.#upgraded))) this.#lost();
        return;
      case '4':
        this.#onSocketIo(packet.slice(1), receivedAt);
        return;
    }
  }

  #onSocketIo(packet: string, receivedAt: number): void {
    if (packet.startsWith(MESSAGE_PREFIX.slice(1))) {
      // `2["message",{envelope}]`: the envelope is the payload.
      const envelope = packet.slice(MESSAGE_PREFIX.length - 1, -1);
      this.receiveEnvelope(envelope, Buffer.byteLength(envelope), receivedAt);
      return;
    }
    if (packet.startsWith('30')) {
      this.settleOpen();
      return;
    }
    if (packet.startsWith('4')) this.#fail(new Error(`CONNECT_ERROR: ${packet.slice(1, 200)}`));
  }

  #upgrade(): void {
    const socket = meterSocket(this.env, net.connect(this.target.port, this.target.host));
    this.#ws = socket;
    upgradeSocket(socket, `${PATH}?EIO=4&transport=websocket&sid=${this.#sid}`, this.hostHeader, this, FallbackClient.#upgradeHandlers);
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#upgraded && !this.#closing) this.#lost();
    });
  }

  #probe(): void {
    this.#upgrading = true;
    this.#ws!.write(clientFrame(OPCODE.text, Buffer.from('2probe')));
  }

  #onWsFrame(frame: Frame, receivedAt: number): void {
    const socket = this.#ws!;
    if (frame.opcode === OPCODE.ping) {
      socket.write(clientFrame(OPCODE.pong, frame.payload));
      return;
    }
    if (frame.opcode === OPCODE.close) {
      socket.end();
      return;
    }
    if (frame.opcode !== OPCODE.text) return;
    const packet = frame.payload.toString();
    if (packet === '3probe') {
      this.#probeAnswered = true;
      // As engine.io-client pauses polling: a POST still in flight must
      // land first, or it would reach a session already on WebSocket and
      // be refused (400), losing its packets (CONNECT, subscribe, a pong).
      if (!this.#posting) this.#finishUpgrade();
      return;
    }
    this.#onPacket(packet, receivedAt);
  }

  /** Sends `5`, moves what waited onto the WebSocket, and lets the polling connections go. */
  #finishUpgrade(): void {
    if (this.#upgraded || this.#closing || !this.#ws?.writable) return;
    this.#ws.write(clientFrame(OPCODE.text, Buffer.from('5')));
    this.#upgraded = true;
    this.transport = 'websocket';
    const pending = this.#outbox.splice(0);
    for (const queued of pending) this.#sendPacket(queued);
    // A browser would leave them idle in its pool until the server's
    // keep-alive timeout closes them; at 15,000 sessions a process, two idle
    // sockets each would cost 30,000 file descriptors, so they go now.
    this.#poller?.socket.end();
    this.#poster?.socket.end();
  }

  #lost(): void {
    if (this.#closing) return;
    // A reconnect would start a new session; the harness counts it as a failure.
    if (this.state === 'open') this.failAfterOpen(new Error('session closed by the server'));
  }
}

function token(): string {
  return Date.now().toString(36);
}
