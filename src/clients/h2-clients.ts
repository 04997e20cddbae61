/**
 * The `+h2` variants of the HTTP clients: the same client logic (schedule,
 * cursors, SSE parsing, reconnects) over its own HTTP/2 connection
 * (h2-connection.ts) instead of an HTTP/1.1 one.
 */
import { Http2Connection } from './h2-connection.js';
import type { ConnectionHandlers, HttpLink } from './http-connection.js';
import { LongPollClient } from './long-poll-client.js';
import { ShortPollClient } from './short-poll-client.js';
import { SseClient } from './sse-client.js';

export class H2ShortPollClient extends ShortPollClient {
  protected override openHttp(handlers: ConnectionHandlers): HttpLink {
    return new Http2Connection(this.env, this.target, handlers);
  }
}

export class H2LongPollClient extends LongPollClient {
  protected override openHttp(handlers: ConnectionHandlers): HttpLink {
    return new Http2Connection(this.env, this.target, handlers);
  }
}

export class H2SseClient extends SseClient {
  protected override openHttp(handlers: ConnectionHandlers): HttpLink {
    return new Http2Connection(this.env, this.target, handlers);
  }
}
