import type { WsDeflateConfig } from './ws-deflate.js';

/** Settings of one server process; `rtbench serve` fills them from its options. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Messages kept per channel for resuming from a cursor. */
  historySize: number;
  /** Bytes of history kept per channel (envelopes and their cached wire encodings); the oldest goes first. */
  historyBytes: number;
  /** Bytes of history kept by all channels of one process together; the oldest goes first. */
  historyTotalBytes: number;
  /** A message older than this leaves the history (0: only the size bounds apply). */
  historyTtlMs: number;
  /** Channels one connection (or one poll / SSE request) may subscribe to. */
  maxSubscriptions: number;
  /** Echo every client message back to its sender (round-trip benchmarks). */
  echo: boolean;
  /** Keep-alive period: WebSocket pings, SSE heartbeat comments, Engine.IO pings. */
  pingIntervalMs: number;
  /** How long a WebSocket peer may take to answer a ping before it is dropped. */
  pingTimeoutMs: number;
  /** Largest request body or WebSocket message accepted, in bytes. */
  maxPayload: number;
  /** Default hold time of a long poll. */
  longPollTimeoutMs: number;
  /** When set, publishing needs `Authorization: Bearer <secret>`. */
  secret?: string;
  /** Refuse WebSocket upgrades, as a proxy that strips them would. */
  websocket: boolean;
  /** A request head not received whole by then is answered 408 and its connection closed (slowloris). */
  headerTimeoutMs: number;
  /** The time a request body may take after the header timeout's share; then 408 and closed. */
  bodyTimeoutMs: number;
  /** Origins (`https://host:port`) that may open WebSocket, SSE and Engine.IO sessions; undefined: every origin. */
  allowedOrigins?: string[];
  /** Client connections one process holds before it stops accepting; undefined: 7/8 of its file-descriptor limit (fd-limit.ts). */
  maxConnections?: number;
  /** Serve `POST /admin/drop` (fault injection; needs the secret when there is one). */
  admin: boolean;
  /** permessage-deflate for WebSocket clients that offer it (ws-deflate.ts); undefined: off. */
  wsDeflate?: WsDeflateConfig;
  /** gzip poll bodies of at least `threshold` bytes for requests that accept it (gzip-body.ts); undefined: off. */
  gzip?: { threshold: number };
  /** HTTP/2 on the same port: h2c with prior knowledge, and over TLS when `tls` is set (servers/h2/). */
  h2: boolean;
  /** Certificate and key (PEM) for TLS connections on the same port; `serve --h2` makes a self-signed one. */
  tls?: { key: string; cert: string };
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '0.0.0.0',
  port: 8080,
  historySize: 1000,
  historyBytes: 8 * 1024 * 1024,
  historyTotalBytes: 256 * 1024 * 1024,
  historyTtlMs: 300_000,
  maxSubscriptions: 128,
  echo: false,
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  maxPayload: 1_000_000,
  longPollTimeoutMs: 25_000,
  websocket: true,
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  admin: false,
  h2: false,
};

export function resolveConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  const config = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (config as Record<string, unknown>)[key] = value;
  }
  return config;
}
