/** The registry of server-side transports, by name. */
import { fallbackTransport } from './fallback.js';
import { longPollTransport } from './long-poll.js';
import { shortPollTransport } from './short-poll.js';
import { sseTransport } from './sse.js';
import type { TransportFactory } from './transport.js';
import { websocketTransport } from './websocket.js';

export const TRANSPORTS: TransportFactory[] = [
  shortPollTransport,
  longPollTransport,
  sseTransport,
  websocketTransport,
  fallbackTransport,
];
