/** Settings of one server process; `rtbench serve` fills them from its options. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Messages kept per channel for resuming from a cursor. */
  historySize: number;
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
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '0.0.0.0',
  port: 8080,
  historySize: 1000,
  echo: false,
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  maxPayload: 1_000_000,
  longPollTimeoutMs: 25_000,
  websocket: true,
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
};

export function resolveConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  const config = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (config as Record<string, unknown>)[key] = value;
  }
  return config;
}
