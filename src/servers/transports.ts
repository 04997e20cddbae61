/** The registry of server-side transports, by name. */
import { fallbackTransport } from './fallback/fallback-transport.js';
import { longPollTransport } from './polling/long-poll.js';
import { shortPollTransport } from './polling/short-poll.js';
import { sseTransport } from './sse.js';
import type { TransportFactory } from './transport.js';
import { websocketTransport } from './websocket.js';

export const TRANSPORTS: TransportFactory[] = [shortPollTransport, longPollTransport, sseTransport, websocketTransport, fallbackTransport];
