/**
 * The Socket.io-style fallback as a browser's socket.io-client runs it,
 * reduced to what a subscriber does: Engine.IO v4 handshake over HTTP
 * long-polling, then the WebSocket upgrade (2probe / 3probe / 5), or polling
 * only when `pollingOnly` is set (or the server offers no upgrade); Socket.IO
 * v5 on top: CONNECT to the default namespace, one `subscribe` event with an
 * ack, then `message` events carrying the envelope (and a `gap` event when
 * the cursor is older than the server's history). Server pings (`2`) are
 * answered with `3` on whichever transport is current. Works against
 * rtbench's /socket.io/ and against a real socket.io server.
 *
 * A lost session is not resumed: as socket.io-client's reconnect does, every
 * connect starts a new Engine.IO session (handshake, CONNECT, subscribe from
 * the cursor, upgrade) with nothing of the last one kept but the cursor.
 */
import net, { type Socket } from 'node:net';
import { requestHead } from './header-profiles.js';
import { HttpConnection } from './http-connection.js';
import { connectOptions, LoadClient, meterSocket } from './load-client.js';
import { clientFrame, OPCODE, type Frame } from './ws-frames.js';
import { upgradeSocket, type UpgradeHandlers } from './ws-handshake.js';

const SEPARATOR = '\x1e';
const PATH = '/socket.io/';
/** `42["message",` - the prefix of every hub message event. */
const MESSAGE_PREFIX = '42["message",';
/** `2["gap",` - a gap signal event, after the Engine.IO `4`. */
const GAP_PREFIX = '2["gap",';
/** Errors of the upgrade socket reach its close listener. */
const ignore = () => {};

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
  /** The session's id; empty while no session is up (before the handshake, after the session ended). */
  #sid = '';
  #poller: HttpConnection | undefined;
  #pollInFlight = false;
  #poster: HttpConnection | undefined;
  #posting = false;
  #outbox: string[] = [];
  #ws: Socket | undefined;
  /** Set once the probe went out: from then on no new poll is sent (the server releases the pending one with a noop). */
  #upgrading = false;
  #upgraded = false;
  /** `3probe` came back while a POST was in flight: `5` waits for it (see #finishUpgrade). */
  #probeAnswered = false;
  #body: Buffer[] = [];
  #status = 0;
  /** Which transport carries the session now. */
  transport: 'polling' | 'websocket' = 'polling';

  /** A new session: every per-session field starts over. */
  protected connect(): void {
    this.#drop();
    this.#outbox = [];
    this.#body = [];
    this.#status = 0;
    const poller = this.#httpConnection();
    this.#poller = poller;
    this.#pollInFlight = true;
    poller.send(requestHead(`${PATH}?EIO=4&transport=polling&t=${token()}`, this.hostHeader, this.env.settings.headers));
  }

  protected disconnect(): void {
    const ws = this.#ws;
    if (ws && this.#upgraded && ws.writable) {
      this.#ws = undefined;
      ws.write(clientFrame(OPCODE.text, Buffer.from('1')));
      ws.end();
    }
    this.#drop();
  }

  /** Lets every connection of the session go; their late events find them no longer current and do nothing. */
  #drop(): void {
    const { poller, poster, ws } = { poller: this.#poller, poster: this.#poster, ws: this.#ws };
    this.#poller = this.#poster = this.#ws = undefined;
    this.#sid = '';
    this.#pollInFlight = this.#posting = this.#upgrading = this.#upgraded = this.#probeAnswered = false;
    this.transport = 'polling';
    poller?.socket.destroy();
    poster?.socket.destroy();
    ws?.destroy();
  }

  /** The session is over: the pending open (or reconnect attempt) fails, or an open client reconnects. */
  #sessionEnded(cause: Error | undefined): void {
    this.#drop();
    if (this.opening) this.settleOpen(cause ?? new Error('session closed by the server'));
    else this.connectionLost(cause);
  }

  #onHandshake(handshake: Handshake): void {
    this.#sid = handshake.sid;
    // Socket.IO CONNECT to "/", then subscribe with an ack (id 0).
    this.#sendPacket('40');
    this.#sendPacket(`420${JSON.stringify(['subscribe', { channel: this.channel, cursor: this.tracker.last }])}`);
    this.#poll();
    if (!this.env.settings.pollingOnly && handshake.upgrades.includes('websocket')) this.#upgrade();
  }

  #httpConnection(): HttpConnection {
    const connection: HttpConnection = new HttpConnection(this.env, this.target, {
      onHead: (head) => (this.#status = head.status),
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onPollAnswer(connection, receivedAt),
      onClose: (error) => this.#onPollerClose(connection, error),
    });
    return connection;
  }

  #onPollerClose(connection: HttpConnection, error: Error | undefined): void {
    if (connection !== this.#poller) return;
    this.#poller = undefined;
    this.#pollInFlight = false;
    // Let go after the upgrade; during it the probe decides (see #onWsClose).
    if (this.#upgraded) return;
    if (this.#upgrading && this.#ws) {
      this.#upgradeWhenPaused();
      return;
    }
    this.#sessionEnded(error ?? (this.opening ? new Error('polling connection closed') : undefined));
  }

  #poll(): void {
    if (!this.#poller || this.#pollInFlight || this.#upgrading || this.#upgraded) return;
    this.#pollInFlight = true;
    this.#poller.send(
      requestHead(`${PATH}?EIO=4&transport=polling&t=${token()}&sid=${this.#sid}`, this.hostHeader, this.env.settings.headers),
    );
  }

  #onPollAnswer(connection: HttpConnection, receivedAt: number): void {
    if (connection !== this.#poller) return;
    this.#pollInFlight = false;
    const body = Buffer.concat(this.#body).toString();
    this.#body = [];
    if (this.#status !== 200) {
      if (!this.#upgrading) this.#sessionEnded(new Error(`polling answered ${this.#status}: ${body.slice(0, 200)}`));
      else this.#upgradeWhenPaused();
      return;
    }
    if (!this.#sid) {
      if (body[0] !== '0') {
        this.#sessionEnded(new Error(`expected an Engine.IO open packet, got ${body.slice(0, 100)}`));
        return;
      }
      this.#onHandshake(JSON.parse(body.slice(1)) as Handshake);
      return;
    }
    for (const packet of body.split(SEPARATOR)) {
      this.#onPacket(packet, receivedAt, true);
      if (connection !== this.#poller) return; // the session ended on a packet
    }
    if (this.#upgrading) this.#upgradeWhenPaused();
    else this.#poll();
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
    if (this.#posting || this.#outbox.length === 0 || !this.#sid || this.#probeAnswered) return;
    const body = this.#outbox.splice(0).join(SEPARATOR);
    this.#posting = true;
    if (!this.#poster) {
      const poster: HttpConnection = new HttpConnection(this.env, this.target, {
        onHead: () => {},
        onBody: () => {},
        onEnd: () => {
          if (poster === this.#poster) this.#onPosted();
        },
        onClose: () => {
          if (poster !== this.#poster) return;
          this.#poster = undefined;
          this.#onPosted();
        },
      });
      this.#poster = poster;
    }
    const head = requestHead(
      `${PATH}?EIO=4&transport=polling&t=${token()}&sid=${this.#sid}`,
      this.hostHeader,
      this.env.settings.headers,
      `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`,
    ).replace(/^GET /, 'POST ');
    this.#poster.send(head + body);
  }

  /** The POST was answered, or its connection went: the next may go (or the upgrade finish). */
  #onPosted(): void {
    this.#posting = false;
    if (this.#probeAnswered) this.#upgradeWhenPaused();
    else this.#flush();
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
        if (!(fromPolling && (this.#upgrading || this.#upgraded))) this.#sessionEnded(undefined);
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
    if (packet.startsWith(GAP_PREFIX)) {
      const [, gap] = JSON.parse(packet.slice(1)) as [string, { from: unknown; to: unknown }];
      this.receiveGap(gap);
      return;
    }
    if (packet.startsWith('30')) {
      // The subscribe's ack: `[{channel, seq}]`, or `[{error, code}]` when refused.
      const [answer] = JSON.parse(packet.slice(2)) as [{ error?: string; code?: string }];
      if (answer?.error) this.#sessionEnded(new Error(`subscribe refused: ${answer.error} (${answer.code})`));
      else this.settleOpen();
      return;
    }
    if (packet.startsWith('4')) this.#sessionEnded(new Error(`CONNECT_ERROR: ${packet.slice(1, 200)}`));
    else if (packet === '1') this.#sessionEnded(undefined); // DISCONNECT from the server
  }

  #upgrade(): void {
    const socket = meterSocket(this.env, net.connect(connectOptions(this.target)));
    this.#ws = socket;
    socket.on('error', ignore);
    socket.on('close', () => this.#onWsClose(socket));
    upgradeSocket(socket, `${PATH}?EIO=4&transport=websocket&sid=${this.#sid}`, this.hostHeader, this, FallbackClient.#upgradeHandlers);
  }

  /**
   * After the upgrade the WebSocket is the session. Before the probe, a
   * failed upgrade leaves the session on polling. Between the probe and `5`
   * the client is on neither: as engine.io-client does when a probe fails,
   * it goes back to polling, and when the polling connection is gone too,
   * the session is.
   */
  #onWsClose(socket: Socket): void {
    if (socket !== this.#ws) return;
    this.#ws = undefined;
    const error = socket.errored ?? undefined;
    if (this.#upgraded) {
      this.#sessionEnded(error);
      return;
    }
    if (!this.#upgrading) return;
    this.#upgrading = false;
    this.#probeAnswered = false;
    if (!this.#poller) {
      this.#sessionEnded(error ?? new Error('connection lost during the upgrade'));
      return;
    }
    this.#poll();
    this.#flush();
  }

  #probe(): void {
    this.#upgrading = true;
    this.#ws!.write(clientFrame(OPCODE.text, Buffer.from('2probe')));
  }

  #onWsFrame(frame: Frame, receivedAt: number): void {
    const socket = this.#ws;
    if (!socket) return; // close() let it go
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
      this.#upgradeWhenPaused();
      return;
    }
    this.#onPacket(packet, receivedAt);
  }

  /**
   * As engine.io-client pauses polling before it sends `5`: a POST still in
   * flight must land first, or it would reach a session already on
   * WebSocket and be refused (400), losing its packets (CONNECT, subscribe,
   * a pong); and a GET still in flight (the server releases it on the probe)
   * must be read first, or the updates it carries would arrive after newer
   * ones on the WebSocket (reordered), or never, if the session ended before
   * the released poll was read (a hole behind the cursor: lost).
   */
  #upgradeWhenPaused(): void {
    if (this.#probeAnswered && !this.#posting && !this.#pollInFlight) this.#finishUpgrade();
  }

  /** Sends `5`, moves what waited onto the WebSocket, and lets the polling connections go. */
  #finishUpgrade(): void {
    if (this.#upgraded || !this.#ws?.writable) return;
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
}

function token(): string {
  return Date.now().toString(36);
}
