/**
 * The Socket.io-style fallback: Engine.IO v4 at `/engine.io/` (JSON control
 * messages, as on /ws) and Socket.IO v5 at `/socket.io/` (events with acks),
 * each starting on HTTP long-polling and upgrading to WebSocket, or
 * WebSocket-only. Both endpoints share one session table; under
 * `--workers` a router forwards requests for another worker's sessions
 * there (cluster/session-relay.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { isAuthorized, pathOf } from '../http-util.js';
import { EngineEndpoint, SessionTable, type SessionRouter } from '../engine-io/endpoint.js';
import type { EngineOptions } from '../engine-io/session.js';
import type { FallbackState } from './channel-peer.js';
import { EngineIoPeer } from './engine-io-peer.js';
import { SocketIoPeer } from './socket-io-peer.js';
import type { ServerContext, ServerTransport } from '../transport.js';
import { perMessageDeflateOptions } from '../ws-deflate.js';

export const ENGINE_IO_PATH = '/engine.io/';
export const SOCKET_IO_PATH = '/socket.io/';

/** How long a client may take between opening the probe WebSocket and sending `5`. */
const UPGRADE_TIMEOUT_MS = 10_000;

export interface FallbackTransport extends ServerTransport {
  readonly name: 'fallback';
  /** Lets requests for other processes' sessions reach them (cluster workers). */
  setRouter(router: SessionRouter | undefined): void;
}

export function isFallbackTransport(transport: ServerTransport): transport is FallbackTransport {
  return transport.name === 'fallback';
}

export function fallbackTransport(context: ServerContext): FallbackTransport {
  const { config } = context;
  const state: FallbackState = { context, subscribers: 0, delivered: 0 };
  const table = new SessionTable();
  const options: EngineOptions = {
    pingIntervalMs: config.pingIntervalMs,
    pingTimeoutMs: config.pingTimeoutMs,
    maxPayload: config.maxPayload,
    upgrades: config.websocket,
    upgradeTimeoutMs: UPGRADE_TIMEOUT_MS,
  };
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxPayload,
    perMessageDeflate: perMessageDeflateOptions(config.wsDeflate),
  });
  const authorizedBy = (req: IncomingMessage) => isAuthorized(req.headers.authorization, config.secret);
  const engineIo = new EngineEndpoint(ENGINE_IO_PATH, table, options, wss, (session, req) => {
    return new EngineIoPeer(session, state, authorizedBy(req));
  });
  const socketIo = new EngineEndpoint(SOCKET_IO_PATH, table, options, wss, (session, req) => {
    return new SocketIoPeer(session, state, authorizedBy(req));
  });

  return {
    name: 'fallback',
    routes: {
      [ENGINE_IO_PATH]: (req, res) => engineIo.handleRequest(req, res),
      [SOCKET_IO_PATH]: (req, res) => socketIo.handleRequest(req, res),
    },
    // No upgradePath: app.ts upgrades a transport without one on its own routes.
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      (pathOf(req.url) === SOCKET_IO_PATH ? socketIo : engineIo).handleUpgrade(req, socket, head);
    },
    stats: () => ({ connections: table.size, subscribers: state.subscribers, delivered: state.delivered }),
    close() {
      table.shutdown();
    },
    setRouter(router) {
      table.router = router;
    },
  };
}
