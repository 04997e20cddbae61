/**
 * Load clients by transport name: a new transport, or a variant of one
 * (`sse+h2`, `ws+deflate`; the name grammar is src/result/transport-name.ts),
 * is one entry here and one line in TRANSPORTS.
 */
import { FallbackClient } from './fallback-client.js';
import { H2LongPollClient, H2ShortPollClient, H2SseClient } from './h2-clients.js';
import type { ClientEnvironment, ClientTarget, LoadClient } from './load-client.js';
import { LongPollClient } from './long-poll-client.js';
import { ShortPollClient } from './short-poll-client.js';
import { SseClient } from './sse-client.js';
import { WsClient, WsDeflateClient } from './ws-client.js';

export const TRANSPORTS = [
  'short-poll',
  'long-poll',
  'sse',
  'fallback',
  'ws',
  'ws+deflate',
  'short-poll+gzip',
  'long-poll+gzip',
  'short-poll+h2',
  'long-poll+h2',
  'sse+h2',
] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** A factory rather than a class, so a variant can be an existing client with options. */
type ClientFactory = (env: ClientEnvironment, target: ClientTarget, channel: string) => LoadClient;

const CLIENTS: Record<TransportName, ClientFactory> = {
  'short-poll': (env, target, channel) => new ShortPollClient(env, target, channel),
  'long-poll': (env, target, channel) => new LongPollClient(env, target, channel),
  sse: (env, target, channel) => new SseClient(env, target, channel),
  fallback: (env, target, channel) => new FallbackClient(env, target, channel),
  ws: (env, target, channel) => new WsClient(env, target, channel),
  'ws+deflate': (env, target, channel) => new WsDeflateClient(env, target, channel),
  'short-poll+gzip': (env, target, channel) => new ShortPollClient(gzipEnvironment(env), target, channel),
  'long-poll+gzip': (env, target, channel) => new LongPollClient(gzipEnvironment(env), target, channel),
  'short-poll+h2': (env, target, channel) => new H2ShortPollClient(env, target, channel),
  'long-poll+h2': (env, target, channel) => new H2LongPollClient(env, target, channel),
  'sse+h2': (env, target, channel) => new H2SseClient(env, target, channel),
};

/** One environment per process's environment, with gzip asked for: shared by all its gzip clients, not one per client. */
const gzipEnvironments = new WeakMap<ClientEnvironment, ClientEnvironment>();
function gzipEnvironment(env: ClientEnvironment): ClientEnvironment {
  let gzip = gzipEnvironments.get(env);
  if (!gzip) {
    gzip = { ...env, settings: { ...env.settings, gzip: true } };
    gzipEnvironments.set(env, gzip);
  }
  return gzip;
}

export function isTransportName(name: string): name is TransportName {
  return Object.hasOwn(CLIENTS, name);
}

export function createClient(transport: TransportName, env: ClientEnvironment, target: ClientTarget, channel: string): LoadClient {
  return CLIENTS[transport](env, target, channel);
}
