/**
 * One Engine.IO v4 session: its current transport (HTTP long-polling, see
 * polling.ts, or a WebSocket), the upgrade from polling to WebSocket, the
 * server-sent heartbeat and the close.
 *
 * Everything a session sends goes through `send()` in order. On polling the
 * packets wait in the polling queue until a GET is held, then leave together
 * in one payload; on a WebSocket each packet is one frame. During an upgrade
 * the queue is emptied either into the last poll (before the client pauses
 * polling) or onto the new WebSocket once the client sends `5`, never both,
 * so no packet is lost or sent twice.
 *
 * Timers and socket listeners are module-level functions (static methods)
 * that find their session through an argument or a symbol: no closures per
 * session, which matters at 100,000 sessions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodePacket, type Packet } from 'engine.io-parser';
import { WebSocket, type RawData } from 'ws';
import { PollingTransport, type PollingSession } from './polling.js';
import { encodeText, MAX_BACKLOG_BYTES, SharedPacket, type OutPacket } from './protocol.js';
import { PendingUpgrade, type UpgradingSession } from './upgrade.js';

export type TransportName = 'polling' | 'websocket';

export interface EngineOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Largest POST body or WebSocket message accepted, in bytes; advertised as maxPayload. */
  maxPayload: number;
  /** Whether the handshake offers the WebSocket upgrade. */
  upgrades: boolean;
  /** How long a client may take from opening the probe WebSocket to sending `5`. */
  upgradeTimeoutMs: number;
}

/** What a protocol on top of Engine.IO (the app, Socket.IO) attaches to a session. */
export interface SessionPeer {
  /** A message packet's payload: text as a string, binary as a Buffer. */
  onMessage(data: string | Buffer): void;
  /** The session is gone; release everything it held. */
  onClose(reason: string): void;
  /** The server is shutting down: a last packet before the session ends. */
  onShutdown?(): void;
}

/** The endpoint that owns the session table. */
export interface SessionHost {
  readonly options: EngineOptions;
  forget(session: EngineSession): void;
}

const TEXT_FRAME = { binary: false } as const;
const BINARY_FRAME = { binary: true } as const;
const PING = encodeText('ping');
const NOOP = encodeText('noop');
const CLOSE_PACKET = encodeText('close');
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;

const kSession = Symbol('rtbench.engineSession');
type Tagged<T> = T & { [kSession]?: EngineSession };

export class EngineSession implements PollingSession, UpgradingSession {
  transport: TransportName;
  state: 'open' | 'closing' | 'closed' = 'open';
  peer: SessionPeer | undefined;

  #ws: WebSocket | undefined;
  #upgrade: PendingUpgrade | undefined;
  /** While on polling; dropped once upgraded (a WebSocket-only session never has one). */
  #polling: PollingTransport | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #awaitingPong = false;

  constructor(
    readonly sid: string,
    readonly host: SessionHost,
    transport: TransportName,
  ) {
    this.transport = transport;
    if (transport === 'polling') this.#polling = new PollingTransport(this);
  }

  /** The open packet's JSON, as the handshake answer carries it. */
  openPacket(): string {
    const { options } = this.host;
    return encodeText(
      'open',
      JSON.stringify({
        sid: this.sid,
        upgrades: this.transport === 'polling' && options.upgrades ? ['websocket'] : [],
        pingInterval: options.pingIntervalMs,
        pingTimeout: options.pingTimeoutMs,
        maxPayload: options.maxPayload,
      }),
    );
  }

  /** Starts the heartbeat; call once the open packet is on its way. */
  start(): void {
    this.#schedulePing();
  }

  get canUpgrade(): boolean {
    return this.state === 'open' && this.transport === 'polling' && this.#upgrade === undefined;
  }

  // ---- sending ----------------------------------------------------------

  /** Queues or writes one packet on the current transport. */
  send(packet: OutPacket): void {
    if (this.state !== 'open') return;
    if (this.transport === 'websocket') this.#wsWrite(packet);
    else this.#polling!.enqueue(packet);
  }

  sendText(data: string): void {
    this.send(encodeText('message', data));
  }

  sendBinary(data: Uint8Array): void {
    this.send(data);
  }

  #wsWrite(packet: OutPacket): void {
    const ws = this.#ws!;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (typeof packet === 'string') ws.send(packet, TEXT_FRAME);
    else if (packet instanceof SharedPacket)
      ws.send(packet.text, TEXT_FRAME); // a string: see websocket.ts (bench:peers)
    else ws.send(packet, BINARY_FRAME);
    if (ws.bufferedAmount > MAX_BACKLOG_BYTES) {
      ws.terminate();
    }
  }

  // ---- HTTP long-polling (polling.ts) ------------------------------------

  /** A GET: held until there is something to send. */
  onPollRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#polling!.onPollRequest(req, res);
  }

  /** A POST: one payload of packets from the client. */
  onDataRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#polling!.onDataRequest(req, res);
  }

  onPollHeld(): void {
    const polling = this.#polling!;
    if (this.state === 'closing') {
      polling.answer(CLOSE_PACKET);
      this.#finish('closed after the last poll');
    } else if (polling.queued > 0 || this.#upgrade?.probed) {
      polling.release();
    }
  }

  // ---- WebSocket ----------------------------------------------------------

  /** A WebSocket-only session: the open packet is its first frame. */
  attachWebSocket(ws: WebSocket): void {
    this.#ws = ws;
    EngineSession.#listen(ws, this);
    ws.send(this.openPacket(), TEXT_FRAME);
  }

  /** The probe WebSocket of an upgrade from polling (upgrade.ts). */
  beginUpgrade(ws: WebSocket): void {
    this.#upgrade = new PendingUpgrade(ws, this, this.host.options.upgradeTimeoutMs);
    EngineSession.#listen(ws, this);
  }

  onProbed(): void {
    // Release the held poll so the client can pause polling.
    this.#polling?.release();
  }

  cancelUpgrade(): void {
    this.#upgrade?.stop();
    this.#upgrade = undefined;
  }

  completeUpgrade(ws: WebSocket): void {
    this.cancelUpgrade();
    const polling = this.#polling!;
    const queue = polling.take();
    // A poll still held now gets a bare noop; what is queued goes on the WebSocket.
    polling.release();
    this.#polling = undefined;
    this.transport = 'websocket';
    this.#ws = ws;
    for (const packet of queue) this.#wsWrite(packet);
  }

  static #onWsMessage(this: Tagged<WebSocket>, data: RawData, isBinary: boolean): void {
    const session = this[kSession]!;
    if (this === session.#upgrade?.ws) {
      session.#upgrade.onData(data, isBinary);
      return;
    }
    if (this !== session.#ws || session.state !== 'open') return;
    const packet = isBinary ? ({ type: 'message', data: toBuffer(data) } satisfies Packet) : decodePacket(data.toString());
    if (packet.type === 'error') {
      session.close('parse error');
      return;
    }
    session.onPacket(packet);
  }

  static #onWsClose(this: Tagged<WebSocket>): void {
    const session = this[kSession]!;
    if (this === session.#upgrade?.ws) session.cancelUpgrade();
    else if (this === session.#ws) session.#finish('transport close');
  }

  static #onWsError(): void {
    // ws closes the socket itself (1002, 1007, 1009 ...); the close event ends the session.
  }

  // ---- packets and heartbeat ----------------------------------------------

  onPacket(packet: Packet): void {
    switch (packet.type) {
      case 'message':
        // A bare `4` is an empty text message.
        this.peer?.onMessage((packet.data as string | Buffer | undefined) ?? '');
        return;
      case 'pong':
        if (!this.#awaitingPong) return;
        this.#awaitingPong = false;
        clearTimeout(this.#heartbeat);
        this.#schedulePing();
        return;
      case 'close':
        this.close('client close', true);
        return;
      case 'ping':
        // In v4 the server pings; a client ping is a protocol error.
        this.close('invalid heartbeat direction');
        return;
      default:
        // noop, upgrade and open carry nothing on an established transport.
        return;
    }
  }

  #schedulePing(): void {
    this.#heartbeat = setTimeout(EngineSession.#onPingDue, this.host.options.pingIntervalMs, this);
    this.#heartbeat.unref();
  }

  static #onPingDue(session: EngineSession): void {
    if (session.state !== 'open') return;
    session.#awaitingPong = true;
    session.send(PING);
    session.#heartbeat = setTimeout(EngineSession.#onPongOverdue, session.host.options.pingTimeoutMs, session);
    session.#heartbeat.unref();
  }

  static #onPongOverdue(session: EngineSession): void {
    session.close('ping timeout');
  }

  // ---- closing --------------------------------------------------------------

  /**
   * Ends the session after what is queued has been sent: on a WebSocket at
   * once, on polling with the next poll (or when the ping timeout passes).
   */
  end(reason: string): void {
    if (this.state !== 'open') return;
    const polling = this.#polling;
    if (!polling || polling.holding || polling.queued === 0) {
      this.close(reason);
      return;
    }
    this.state = 'closing';
    clearTimeout(this.#heartbeat);
    this.#heartbeat = setTimeout(EngineSession.#onClosingTimeout, this.host.options.pingTimeoutMs, this, reason);
    this.#heartbeat.unref();
  }

  static #onClosingTimeout(session: EngineSession, reason: string): void {
    session.#finish(reason);
  }

  /**
   * Closes now. A held poll gets what is queued and a close packet, or a
   * noop when the client asked to close; a WebSocket gets a close frame.
   */
  close(reason: string, byClient = false, code = CLOSE_NORMAL): void {
    if (this.state === 'closed') return;
    this.#polling?.answer(byClient ? NOOP : CLOSE_PACKET);
    if (this.#ws && this.#ws.readyState === WebSocket.OPEN) {
      // Queued frames go out before the close frame.
      this.#ws.close(code);
    }
    this.#finish(reason);
  }

  /** The server is going away: let the peer say goodbye, then close. */
  shutdown(): void {
    if (this.state === 'open') this.peer?.onShutdown?.();
    this.close('server shutting down', false, CLOSE_GOING_AWAY);
  }

  #finish(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.#heartbeat);
    this.#polling?.take();
    const probe = this.#upgrade?.ws;
    this.cancelUpgrade();
    if (probe && probe.readyState === WebSocket.OPEN) probe.close(CLOSE_NORMAL);
    if (this.#ws && this.#ws.readyState === WebSocket.OPEN) this.#ws.close(CLOSE_NORMAL);
    this.host.forget(this);
    this.peer?.onClose(reason);
  }

  static #listen(ws: WebSocket, session: EngineSession): void {
    (ws as Tagged<WebSocket>)[kSession] = session;
    ws.on('message', EngineSession.#onWsMessage);
    ws.on('close', EngineSession.#onWsClose);
    ws.on('error', EngineSession.#onWsError);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
