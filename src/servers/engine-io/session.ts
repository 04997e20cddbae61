/**
 * One Engine.IO v4 session: its current transport (HTTP long-polling or a
 * WebSocket), the queue of packets waiting for the next poll, the upgrade
 * from polling to WebSocket, the server-sent heartbeat and the close.
 *
 * Everything a session sends goes through `send()` in order. On polling the
 * packets wait in a queue until a GET is held, then leave together in one
 * payload; on a WebSocket each packet is one frame. During an upgrade the
 * queue is emptied either into the last poll (before the client pauses
 * polling) or onto the new WebSocket once the client sends `5`, never both,
 * so no packet is lost or sent twice.
 *
 * Timers and socket listeners are module-level functions (static methods)
 * that find their session through an argument or a symbol: no closures per
 * session or per poll, which matters at 100,000 sessions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodePacket, decodePayload, type Packet } from 'engine.io-parser';
import { WebSocket, type RawData } from 'ws';
import {
  ENGINE_ERRORS,
  encodeText,
  errorBody,
  pollingTextOf,
  SEPARATOR,
  SharedPacket,
  sizeOf,
  type EngineError,
  type OutPacket,
} from './protocol.js';

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

/** Beyond this many queued bytes a client that does not poll is dropped. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const TEXT_FRAME = { binary: false } as const;
const BINARY_FRAME = { binary: true } as const;
const PING = encodeText('ping');
const NOOP = encodeText('noop');
const CLOSE_PACKET = encodeText('close');
const PROBE_PONG = encodeText('pong', 'probe');
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;

const kSession = Symbol('rtbench.engineSession');
type Tagged<T> = T & { [kSession]?: EngineSession };

type Upgrade = 'none' | 'opened' | 'probed';

export class EngineSession {
  transport: TransportName;
  state: 'open' | 'closing' | 'closed' = 'open';
  peer: SessionPeer | undefined;

  #ws: WebSocket | undefined;
  #probe: WebSocket | undefined;
  #upgrade: Upgrade = 'none';
  #upgradeTimer: NodeJS.Timeout | undefined;
  #poll: ServerResponse | undefined;
  #posting = false;
  #queue: OutPacket[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #awaitingPong = false;

  constructor(
    readonly sid: string,
    readonly host: SessionHost,
    transport: TransportName,
  ) {
    this.transport = transport;
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
    return this.state === 'open' && this.transport === 'polling' && this.#upgrade === 'none';
  }

  // ---- sending ----------------------------------------------------------

  /** Queues or writes one packet on the current transport. */
  send(packet: OutPacket): void {
    if (this.state !== 'open') return;
    if (this.transport === 'websocket') {
      this.#wsWrite(packet);
      return;
    }
    this.#queue.push(packet);
    this.#queuedBytes += sizeOf(packet);
    if (this.#queuedBytes > MAX_BACKLOG_BYTES) {
      this.close('backlog overflow');
      return;
    }
    // Packets queued in the same tick (a burst from the cluster primary, an
    // ack and the messages it releases) leave in one payload.
    if (this.#poll && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(EngineSession.#flushTick, this);
    }
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
    else if (packet instanceof SharedPacket) ws.send(packet.text, TEXT_FRAME); // a string: see websocket.ts (bench:peers)
    else ws.send(packet, BINARY_FRAME);
    if (ws.bufferedAmount > MAX_BACKLOG_BYTES) {
      ws.terminate();
    }
  }

  static #flushTick(session: EngineSession): void {
    session.#flushScheduled = false;
    if (session.#poll && session.#queue.length > 0) session.#answerPoll();
  }

  /** Answers the held GET with everything queued, plus `tail` if given. */
  #answerPoll(tail?: string): void {
    const res = this.#poll!;
    this.#poll = undefined;
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    let body: string | Buffer;
    if (tail === undefined && queue.length === 1 && queue[0] instanceof SharedPacket) {
      // One hub message: its bytes are shared by every poll that carries it.
      body = queue[0].utf8;
    } else {
      let text = '';
      for (let i = 0; i < queue.length; i++) text += (i === 0 ? '' : SEPARATOR) + pollingTextOf(queue[i]!);
      if (tail !== undefined) text += (text === '' ? '' : SEPARATOR) + tail;
      body = text;
    }
    writePayload(res, body);
  }

  // ---- HTTP long-polling ------------------------------------------------

  /** A GET: held until there is something to send. */
  onPollRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#poll) {
      // A second concurrent poll breaks ordering: refuse it and end the session.
      req.resume();
      writeError(res, ENGINE_ERRORS.badRequest);
      this.close('poll overlap');
      return;
    }
    this.#poll = res;
    (res as Tagged<ServerResponse>)[kSession] = this;
    res.once('close', EngineSession.#onPollClosed);
    if (this.state === 'closing') {
      this.#answerPoll(CLOSE_PACKET);
      this.#finish('closed after the last poll');
      return;
    }
    if (this.#queue.length > 0) this.#answerPoll();
    else if (this.#upgrade === 'probed') this.#answerPoll(NOOP);
  }

  static #onPollClosed(this: Tagged<ServerResponse>): void {
    const session = this[kSession]!;
    this[kSession] = undefined;
    // Answered polls are no longer held; a held one closing means the client went away.
    if (session.#poll === this) {
      session.#poll = undefined;
      session.close('poll connection closed prematurely');
    }
  }

  /** A POST: one payload of packets from the client. */
  onDataRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#posting) {
      req.resume();
      writeError(res, ENGINE_ERRORS.badRequest);
      this.close('data request overlap');
      return;
    }
    if (req.headers['content-type'] === 'application/octet-stream') {
      // Protocol v4 carries binary as base64 text on polling.
      req.resume();
      writeError(res, ENGINE_ERRORS.badRequest);
      this.close('binary payload on polling');
      return;
    }
    const limit = this.host.options.maxPayload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      writeTooLarge(res);
      this.close('payload too large');
      return;
    }
    this.#posting = true;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        this.#posting = false;
        writeTooLarge(res);
        this.close('payload too large');
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (refused) return;
      this.#posting = false;
      this.#onPayload(Buffer.concat(chunks, size).toString('utf8'), res);
    });
    req.once('close', () => {
      if (!req.complete && !refused) {
        this.#posting = false;
        this.close('data request connection closed prematurely');
      }
    });
  }

  #onPayload(payload: string, res: ServerResponse): void {
    if (this.state !== 'open') {
      writeOk(res);
      return;
    }
    for (const packet of decodePayload(payload)) {
      if (packet.type === 'error') {
        writeError(res, ENGINE_ERRORS.badRequest);
        this.close('parse error');
        return;
      }
      this.#onPacket(packet);
      if (this.state !== 'open') break;
    }
    writeOk(res);
  }

  // ---- WebSocket ----------------------------------------------------------

  /** A WebSocket-only session: the open packet is its first frame. */
  attachWebSocket(ws: WebSocket): void {
    this.#ws = ws;
    EngineSession.#listen(ws, this);
    ws.send(this.openPacket(), TEXT_FRAME);
  }

  /** The probe WebSocket of an upgrade from polling. */
  beginUpgrade(ws: WebSocket): void {
    this.#probe = ws;
    this.#upgrade = 'opened';
    EngineSession.#listen(ws, this);
    this.#upgradeTimer = setTimeout(EngineSession.#onUpgradeTimeout, this.host.options.upgradeTimeoutMs, this);
    this.#upgradeTimer.unref();
  }

  static #onUpgradeTimeout(session: EngineSession): void {
    session.#upgradeTimer = undefined;
    session.#probe?.close(CLOSE_POLICY, 'upgrade timeout');
    session.#cancelUpgrade();
  }

  #cancelUpgrade(): void {
    clearTimeout(this.#upgradeTimer);
    this.#upgradeTimer = undefined;
    this.#probe = undefined;
    this.#upgrade = 'none';
  }

  #onProbeData(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const packet = isBinary ? undefined : data.toString();
    if (packet === '2probe' && this.#upgrade === 'opened') {
      ws.send(PROBE_PONG, TEXT_FRAME);
      this.#upgrade = 'probed';
      // Release the held poll so the client can pause polling.
      if (this.#poll) this.#answerPoll(this.#queue.length > 0 ? undefined : NOOP);
      return;
    }
    if (packet === '5' && this.state === 'open') {
      this.#completeUpgrade(ws);
      return;
    }
    ws.close(CLOSE_POLICY, 'unexpected packet during upgrade');
    this.#cancelUpgrade();
  }

  #completeUpgrade(ws: WebSocket): void {
    clearTimeout(this.#upgradeTimer);
    this.#upgradeTimer = undefined;
    this.#probe = undefined;
    this.#upgrade = 'none';
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    // A poll still held now gets a bare noop; what is queued goes on the WebSocket.
    if (this.#poll) this.#answerPoll(NOOP);
    this.transport = 'websocket';
    this.#ws = ws;
    for (const packet of queue) this.#wsWrite(packet);
  }

  static #onWsMessage(this: Tagged<WebSocket>, data: RawData, isBinary: boolean): void {
    const session = this[kSession]!;
    if (this === session.#probe) {
      session.#onProbeData(this, data, isBinary);
      return;
    }
    if (this !== session.#ws || session.state !== 'open') return;
    const packet = isBinary
      ? ({ type: 'message', data: toBuffer(data) } satisfies Packet)
      : decodePacket(data.toString());
    if (packet.type === 'error') {
      session.close('parse error');
      return;
    }
    session.#onPacket(packet);
  }

  static #onWsClose(this: Tagged<WebSocket>): void {
    const session = this[kSession]!;
    if (this === session.#probe) session.#cancelUpgrade();
    else if (this === session.#ws) session.#finish('transport close');
  }

  static #onWsError(): void {
    // ws closes the socket itself (1002, 1007, 1009 ...); the close event ends the session.
  }

  // ---- packets and heartbeat ----------------------------------------------

  #onPacket(packet: Packet): void {
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
    if (this.transport === 'websocket' || this.#poll || this.#queue.length === 0) {
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
    if (this.#poll) this.#answerPoll(byClient ? NOOP : CLOSE_PACKET);
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
    clearTimeout(this.#upgradeTimer);
    this.#queue = [];
    this.#queuedBytes = 0;
    if (this.#probe && this.#probe.readyState === WebSocket.OPEN) this.#probe.close(CLOSE_NORMAL);
    this.#probe = undefined;
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

function writePayload(res: ServerResponse, body: string | Buffer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(200, {
    'content-type': 'text/plain; charset=UTF-8',
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}

function writeOk(res: ServerResponse): void {
  if (res.destroyed || res.headersSent) return;
  // text/html, as the reference server answers, so byte counts compare.
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': 2 });
  res.end('ok');
}

export function writeError(res: ServerResponse, error: EngineError): void {
  if (res.destroyed || res.headersSent) return;
  const body = errorBody(error);
  res.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function writeTooLarge(res: ServerResponse): void {
  if (res.destroyed || res.headersSent) return;
  // The rest of the refused body may still be on the wire: the connection cannot be reused.
  res.writeHead(413, { connection: 'close', 'content-length': 0 });
  res.end();
  res.once('finish', () => res.socket?.destroySoon());
}
