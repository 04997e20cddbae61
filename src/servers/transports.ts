/** The registry of server-side transports, by name. */
import { longPollTransport } from './long-poll.js';
import { shortPollTransport } from './short-poll.js';
import { sseTransport } from './sse.js';
import type { TransportFactory } from './transport.js';
import { websocketTransport } from './websocket.js';

// The Socket.io-style fallback (/engine.io/, /socket.io/) joins this list in
// fallback.ts.
export const TRANSPORTS: TransportFactory[] = [
  shortPollTransport,
  longPollTransport,
  sseTransport,
  websocketTransport,
];
