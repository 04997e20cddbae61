/**
 * One Engine.IO v4 endpoint (a path such as `/engine.io/`): checks each
 * request against the protocol, opens sessions (polling handshake or a
 * WebSocket-only session) and hands GETs, POSTs and WebSocket upgrades to the
 * session they name. The session table is shared by the endpoints of one
 * server, so a sid is unique across them, and can be backed by a router that
 * sends requests for another process's sessions there (cluster/session-relay.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { queryOf, refuseUpgrade, sendText } from '../http-util.js';
import { ENGINE_ERRORS, errorBody, sendEngineError, type EngineError } from './protocol.js';
import { EngineSession, type EngineOptions, type SessionHost, type SessionPeer } from './session.js';

/** Routes requests for sessions that live in another process. */
export interface SessionRouter {
  /** A fresh sid that names this process as its owner. */
  newSid(): string;
  /** The owner's address when `sid` belongs to another live process. */
  ownerOf(sid: string): number | undefined;
  forwardRequest(req: IncomingMessage, res: ServerResponse, owner: number): void;
  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, owner: number): void;
}

export class SessionTable {
  readonly #sessions = new Map<string, EngineSession>();
  router: SessionRouter | undefined;

  get size(): number {
    return this.#sessions.size;
  }

  get(sid: string): EngineSession | undefined {
    return this.#sessions.get(sid);
  }

  add(session: EngineSession): void {
    this.#sessions.set(session.sid, session);
  }

  delete(session: EngineSession): void {
    if (this.#sessions.get(session.sid) === session) this.#sessions.delete(session.sid);
  }

  newSid(): string {
    return this.router?.newSid() ?? randomBytes(15).toString('base64url');
  }

  /** Ends every session (the server is going away). */
  shutdown(): void {
    for (const session of [...this.#sessions.values()]) session.shutdown();
  }
}

export type PeerFactory = (session: EngineSession, req: IncomingMessage) => SessionPeer;

export class EngineEndpoint implements SessionHost {
  constructor(
    readonly path: string,
    readonly table: SessionTable,
    readonly options: EngineOptions,
    readonly wss: WebSocketServer,
    readonly createPeer: PeerFactory,
  ) {}

  forget(session: EngineSession): void {
    this.table.delete(session);
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const query = queryOf(req.url);
    const sid = query.get('sid');
    if (sid !== null) {
      const owner = this.table.router?.ownerOf(sid);
      if (owner !== undefined) {
        this.table.router!.forwardRequest(req, res, owner);
        return;
      }
    }
    const error = this.#verify(req, query, sid, false);
    if (error) {
      req.resume();
      sendEngineError(res, error);
      return;
    }
    if (sid === null) {
      this.#handshakePolling(req, res);
      return;
    }
    const session = this.table.get(sid)!;
    if (req.method === 'GET') session.onPollRequest(req, res);
    else if (req.method === 'POST') session.onDataRequest(req, res);
    else {
      req.resume();
      sendEngineError(res, ENGINE_ERRORS.badRequest);
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = queryOf(req.url);
    const sid = query.get('sid');
    if (sid !== null) {
      const owner = this.table.router?.ownerOf(sid);
      if (owner !== undefined) {
        this.table.router!.forwardUpgrade(req, socket, head, owner);
        return;
      }
    }
    const error = this.#verify(req, query, sid, true);
    if (error) {
      abortUpgrade(socket, error);
      return;
    }
    if (sid === null) {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new EngineSession(this.table.newSid(), this, 'websocket');
        this.table.add(session);
        session.attachWebSocket(ws);
        session.peer = this.createPeer(session, req);
        session.start();
      });
      return;
    }
    const session = this.table.get(sid)!;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // One WebSocket per session. As the reference server does, a second one
      // (the session already upgraded, or an upgrade under way) completes its
      // handshake and is then closed, with no status code.
      if (!session.canUpgrade) {
        ws.on('error', ignoreSocketError);
        ws.close();
      } else session.beginUpgrade(ws);
    });
  }

  /** The protocol's request checks, in the reference server's order. */
  #verify(req: IncomingMessage, query: URLSearchParams, sid: string | null, upgrade: boolean): EngineError | undefined {
    const transport = query.get('transport');
    if (transport !== 'polling' && transport !== 'websocket') return ENGINE_ERRORS.unknownTransport;
    if (query.get('EIO') !== '4') return ENGINE_ERRORS.unsupportedProtocolVersion;
    if (sid !== null) {
      const session = this.table.get(sid);
      if (!session) return ENGINE_ERRORS.unknownSid;
      // A session opened on the other endpoint speaks the other protocol.
      if (session.host !== this) return ENGINE_ERRORS.forbidden;
      if (upgrade ? transport !== 'websocket' : session.transport !== transport) return ENGINE_ERRORS.badRequest;
      return undefined;
    }
    if (req.method !== 'GET') return ENGINE_ERRORS.badHandshakeMethod;
    if (upgrade !== (transport === 'websocket')) return ENGINE_ERRORS.badRequest;
    return undefined;
  }

  #handshakePolling(req: IncomingMessage, res: ServerResponse): void {
    const session = new EngineSession(this.table.newSid(), this, 'polling');
    this.table.add(session);
    sendText(res, 200, 'text/plain; charset=UTF-8', session.openPacket());
    session.peer = this.createPeer(session, req);
    session.start();
  }
}

function ignoreSocketError(): void {
  // A refused WebSocket that errors while closing has nothing left to tell.
}

function abortUpgrade(socket: Duplex, error: EngineError): void {
  refuseUpgrade(socket, error.status, errorBody(error));
}
