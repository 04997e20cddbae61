/**
 * The server-side transport adapter: one module per transport, registered by
 * name, mounted on the shared http.Server by app.ts. A sixth transport is one
 * new file and one line in the registry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hub } from './hub.js';
import type { PublishBus } from './publish.js';
import type { ServerConfig } from './config.js';
import type { BackplaneStatus } from './backplane.js';

export interface ServerContext {
  hub: Hub;
  bus: PublishBus;
  config: ServerConfig;
  /** Set when nodes share a backplane (`serve --redis`): /healthz reports it. */
  backplane?: BackplaneStatus;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TransportStats {
  /** Connections (or held requests) open right now. */
  connections: number;
  /** Channel subscriptions held right now. */
  subscribers: number;
  /** Messages handed to this transport's clients since start. */
  delivered: number;
}

export interface ServerTransport {
  readonly name: string;
  /** Exact pathnames this transport answers over plain HTTP. */
  readonly routes: Record<string, HttpHandler>;
  /** Pathname prefix (or exact path) this transport upgrades to WebSocket. */
  readonly upgradePath?: string;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): TransportStats;
  /** Ends every open connection; the server is going away. */
  close(): void;
}

export type TransportFactory = (context: ServerContext) => ServerTransport;
