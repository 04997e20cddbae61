/**
 * An Engine.IO v4 session as socket.io-client runs it, reduced to what a
 * subscriber does: the handshake over HTTP long-polling, then the WebSocket
 * upgrade (2probe / 3probe / 5), or polling only, or WebSocket only. Pings
 * (`2`) are answered with `3` on the current transport. The Socket.IO on top
 * is the subclass's (fallback-client.ts for rtbench's /socket.io/,
 * adapter/adapter-socketio-client.ts for an app's). Every connect starts a
 * new session, as socket.io-client's reconnect does (only the cursor kept).
 */
import net, { type Socket } from 'node:net';
import { requestHead } from './header-profiles.js';
import type { KeepAliveLink } from './keep-alive-link.js';
import { connectOptions, LoadClient, meterSocket } from './load-client.js';
import { clientFrame, OPCODE, type Frame } from './ws-frames.js';
import { upgradeSocket, type UpgradeHandlers } from './ws-handshake.js';

const SEPARATOR = '\x1e';
const PATH = '/socket.io/';
const ignore = () => {}; // errors of the upgrade socket reach its close listener

interface Handshake {
  sid: string;
  upgrades: string[];
}

export abstract class EngineIoClient extends LoadClient {
  static readonly #upgradeHandlers: UpgradeHandlers<EngineIoClient> = {
    // WebSocket-only has no session to probe for: the server's open packet comes first.
    onUpgraded: (client) => client.websocketOnly || client.#probe(),
    // No upgrade: stay on polling, as socket.io-client does (WebSocket-only has nothing to fall back to).
    onRefused: (client, error) => {
      if (!client.websocketOnly) return;
      client.#ws = undefined;
      client.sessionEnded(error);
    },
    onFrame: (client, frame, receivedAt) => client.#onWsFrame(frame, receivedAt),
  };
  /** The session's id; empty while no session is up (before the handshake, after the session ended). */
  #sid = '';
  /** The polling GETs' and the POSTs' connections: each goes on a new one when the server ends it after a response. */
  #poller: KeepAliveLink | undefined;
  #pollInFlight = false;
  #poster: KeepAliveLink | undefined;
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
    if (this.websocketOnly) {
      this.#upgrade();
      return;
    }
    const poller = this.#pollingLink();
    this.#poller = poller;
    this.#pollInFlight = true;
    poller.send(requestHead(`${this.enginePath}?EIO=4&transport=polling&t=${token()}`, this.hostHeader, this.env.settings.headers));
  }

  /** Hooks for an app's Socket.IO: its path, `transports: ['websocket']` or `['polling']`, how a session joins. */
  protected get enginePath(): string {
    return PATH;
  }
  protected get websocketOnly(): boolean {
    return false;
  }
  protected get pollingOnly(): boolean {
    return this.env.settings.pollingOnly;
  }
  protected abstract joinSession(): void;
  /** A failed first open is retried on a new session, as socket.io-client's Manager does (LoadClient.retriesOpen). */
  protected override get retriesOpen(): boolean {
    return this.env.settings.reconnect;
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
    poller?.destroy();
    poster?.destroy();
    ws?.destroy();
  }

  /** The session is over: the pending open (or reconnect attempt) fails, or an open client reconnects. */
  protected sessionEnded(cause: Error | undefined): void {
    this.#drop();
    if (this.opening) this.settleOpen(cause ?? new Error('session closed by the server'));
    else this.connectionLost(cause);
  }

  #onHandshake(handshake: Handshake): void {
    this.#sid = handshake.sid;
    this.joinSession();
    this.#poll();
    if (!this.pollingOnly && handshake.upgrades.includes('websocket')) this.#upgrade();
  }

  #pollingLink(): KeepAliveLink {
    const link: KeepAliveLink = this.keepAliveHttp({
      onHead: (head) => (this.#status = head.status),
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onPollAnswer(link, receivedAt),
      onClose: (error) => this.#onPollerClose(link, error),
    });
    return link;
  }

  /** The polling connection failed with a poll in flight (a close between polls only moves the next poll to a new connection). */
  #onPollerClose(connection: KeepAliveLink, error: Error | undefined): void {
    if (connection !== this.#poller) return;
    this.#poller = undefined;
    this.#pollInFlight = false;
    // Let go after the upgrade; during it the probe decides (see #onWsClose).
    if (this.#upgraded) return;
    if (this.#upgrading && this.#ws) {
      this.#upgradeWhenPaused();
      return;
    }
    this.sessionEnded(error ?? (this.opening ? new Error('polling connection closed') : undefined));
  }

  #poll(): void {
    if (!this.#poller || this.#pollInFlight || this.#upgrading || this.#upgraded) return;
    this.#pollInFlight = true;
    this.#poller.send(
      requestHead(`${this.enginePath}?EIO=4&transport=polling&t=${token()}&sid=${this.#sid}`, this.hostHeader, this.env.settings.headers),
    );
  }

  #onPollAnswer(connection: KeepAliveLink, receivedAt: number): void {
    if (connection !== this.#poller) return;
    this.#pollInFlight = false;
    const body = Buffer.concat(this.#body).toString();
    this.#body = [];
    if (this.#status !== 200) {
      if (!this.#upgrading) this.sessionEnded(new Error(`polling answered ${this.#status}: ${body.slice(0, 200)}`));
      else this.#upgradeWhenPaused();
      return;
    }
    if (!this.#sid) {
      if (body[0] !== '0') {
        this.sessionEnded(new Error(`expected an Engine.IO open packet, got ${body.slice(0, 100)}`));
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
  protected sendPacket(packet: string): void {
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
      const poster: KeepAliveLink = this.keepAliveHttp({
        onHead: () => {},
        onBody: () => {},
        onEnd: () => poster === this.#poster && this.#onPosted(),
        onClose: () => {
          if (poster !== this.#poster) return;
          this.#poster = undefined;
          this.#onPosted();
        },
      });
      this.#poster = poster;
    }
    const head = requestHead(
      `${this.enginePath}?EIO=4&transport=polling&t=${token()}&sid=${this.#sid}`,
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
        this.sendPacket('3');
        return;
      case '6': // noop: the poll released by the upgrade
      case '3':
        return;
      case '1': // close; on the polling side once upgrading, only the old transport closes
        if (!(fromPolling && (this.#upgrading || this.#upgraded))) this.sessionEnded(undefined);
        return;
      case '4':
        this.onSocketIo(packet.slice(1), receivedAt);
        return;
    }
  }

  /** One Socket.IO packet (the text after the Engine.IO `4`). */
  protected abstract onSocketIo(packet: string, receivedAt: number): void;

  #upgrade(): void {
    const socket = meterSocket(this.env, net.connect(connectOptions(this.target)));
    this.#ws = socket;
    socket.on('error', ignore);
    socket.on('close', () => this.#onWsClose(socket));
    const path = `${this.enginePath}?EIO=4&transport=websocket${this.websocketOnly ? '' : `&sid=${this.#sid}`}`;
    upgradeSocket(socket, path, this.hostHeader, this, EngineIoClient.#upgradeHandlers);
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
    if (this.#upgraded || this.websocketOnly) {
      this.sessionEnded(error);
      return;
    }
    if (!this.#upgrading) return;
    this.#upgrading = false;
    this.#probeAnswered = false;
    if (!this.#poller) {
      this.sessionEnded(error ?? new Error('connection lost during the upgrade'));
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
    if (this.websocketOnly && !this.#sid) {
      this.#onWebSocketOpen(packet);
      return;
    }
    if (packet === '3probe') {
      this.#probeAnswered = true;
      this.#upgradeWhenPaused();
      return;
    }
    this.#onPacket(packet, receivedAt);
  }

  /**
   * As engine.io-client pauses polling before it sends `5`: a POST in flight must land first (on a session
   * already on WebSocket it is refused, its packets lost), and a GET in flight (released on the probe) must be
   * read first, or what it carries (an update, an ack) comes after newer ones on the WebSocket, or never.
   */
  #upgradeWhenPaused(): void {
    if (this.#probeAnswered && !this.#posting && !this.#pollInFlight) this.#finishUpgrade();
  }

  /** WebSocket-only: the first frame is the Engine.IO open packet; the session is on WebSocket from then. */
  #onWebSocketOpen(packet: string): void {
    if (packet[0] !== '0') {
      this.sessionEnded(new Error(`expected an Engine.IO open packet, got ${packet.slice(0, 100)}`));
      return;
    }
    this.#sid = (JSON.parse(packet.slice(1)) as Handshake).sid;
    this.#upgraded = true;
    this.transport = 'websocket';
    this.joinSession();
  }

  /** Sends `5`, moves what waited onto the WebSocket, and lets the polling connections go. */
  #finishUpgrade(): void {
    if (this.#upgraded || !this.#ws?.writable) return;
    this.#ws.write(clientFrame(OPCODE.text, Buffer.from('5')));
    this.#upgraded = true;
    this.transport = 'websocket';
    const pending = this.#outbox.splice(0);
    for (const queued of pending) this.sendPacket(queued);
    // A browser would leave them idle in its pool until the server's
    // keep-alive timeout closes them; at 15,000 sessions a process, two idle
    // sockets each would cost 30,000 file descriptors, so they go now.
    this.#poller?.close();
    this.#poster?.close();
  }
}

function token(): string {
  return Date.now().toString(36);
}
