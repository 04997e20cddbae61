/** Load clients by transport name: a new transport is one file and one line here. */
import { FallbackClient } from './fallback-client.js';
import type { ClientEnvironment, ClientTarget, LoadClient } from './load-client.js';
import { LongPollClient } from './long-poll-client.js';
import { ShortPollClient } from './short-poll-client.js';
import { SseClient } from './sse-client.js';
import { WsClient } from './ws-client.js';

export const TRANSPORTS = ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

type ClientClass = new (env: ClientEnvironment, target: ClientTarget, channel: string, cursor?: number) => LoadClient;

const CLIENTS: Record<TransportName, ClientClass> = {
  'short-poll': ShortPollClient,
  'long-poll': LongPollClient,
  sse: SseClient,
  fallback: FallbackClient,
  ws: WsClient,
};

export function createClient(transport: TransportName, env: ClientEnvironment, target: ClientTarget, channel: string): LoadClient {
  return new CLIENTS[transport](env, target, channel);
}
