/**
 * The adapter: a small ES module a user writes so rtbench can drive a server
 * that does not speak rtbench's own contract (a socket.io app with rooms, a
 * `ws` server with its own JSON, an SSE endpoint, a REST endpoint that
 * clients poll). It says, per transport family the app offers, how a client
 * subscribes to a channel and how an update is published; rtbench puts a
 * marker in what it publishes and finds it in whatever the server delivers
 * (see marker.ts), so the server needs no change and no decode code.
 *
 *   // my-adapter.mjs
 *   /** @type {import('rtbench').Adapter} *\/
 *   export default {
 *     socketio: { subscribe: { event: 'join', args: (room) => [room], ack: true }, updates: ['chat message'] },
 *     publish: { http: (room, text) => ({ path: `/rooms/${room}/messages`, body: JSON.stringify({ text }) }) },
 *   };
 *
 * Every function gets the channel name (rtbench's `ch0`, `ch1`, ...: a room,
 * a topic, a stream key for the app) and returns plain values; it runs in
 * every client process, so it must not rely on state shared between them.
 */

/** Headers sent with a request (names as the app expects them). */
export type Headers = Record<string, string>;

/** A path with its query (`/events?room=ch0`) or a function of the channel that makes one. */
export type ChannelPath = string | ((channel: string) => string);

/** Socket.IO (v4 server, Engine.IO v4 / Socket.IO v5 on the wire): the `fallback` transport. */
export interface SocketIoSubscriber {
  /** The Engine.IO path; default `/socket.io/`. */
  path?: string;
  /** The namespace to connect to; default `/`. */
  namespace?: string;
  /** The CONNECT packet's auth payload (`io(url, { auth })`), or a function of the channel. */
  auth?: Record<string, unknown> | ((channel: string) => Record<string, unknown>);
  /**
   * The event a client emits to join the channel, as `socket.emit(event, ...args(channel))`;
   * `ack: true` waits for the server's acknowledgement (and fails the client on none within the open timeout).
   * Absent: the app sends every update to every client (nothing to join).
   */
  subscribe?: { event: string; args?: (channel: string) => unknown[]; ack?: boolean };
  /** Events that carry updates (`socket.on(event, ...)`); default every event. */
  updates?: string[];
  /**
   * As socket.io-client's `transports`: `['polling', 'websocket']` (default) starts on HTTP long-polling
   * and upgrades; `['websocket']` connects over WebSocket only; `['polling']` never upgrades.
   */
  transports?: ('polling' | 'websocket')[];
}

/** A raw WebSocket server with its own JSON: the `ws` transport. */
export interface WsSubscriber {
  /** The URL path (and query) of the WebSocket; default `/`. */
  path?: ChannelPath;
  /** Extra request headers of the upgrade (a cookie, a token). */
  headers?: Headers;
  /** Text messages sent once the WebSocket is open, to join the channel; none when absent. */
  subscribe?: (channel: string) => string | string[];
  /**
   * The subscription is confirmed by the first message this accepts (a `joined` reply);
   * absent, the client counts as subscribed once its subscribe messages are sent.
   */
  ready?: (message: string) => boolean;
}

/** Server-Sent Events: the `sse` transport. */
export interface SseSubscriber {
  path: ChannelPath;
  headers?: Headers;
  /** SSE event types that carry updates (`event:` lines; `message` is an event without one); default every type. */
  events?: string[];
  /** After a lost stream, ask again with `Last-Event-ID` (as EventSource does); default true. */
  lastEventId?: boolean;
}

/** A REST endpoint that clients poll: the `short-poll` transport (every `--poll-interval`) and `long-poll` (the next request as soon as one is answered). */
export interface PollSubscriber {
  /** The request path; `cursor` is what `cursor()` took from the last answer (undefined before the first). */
  path: string | ((channel: string, cursor: string | undefined) => string);
  headers?: Headers;
  /** Send `If-None-Match` with the last `ETag` (a 304 answer carries nothing new); default false. */
  etag?: boolean;
  /** The cursor for the next request, from the last 200 answer's parsed JSON body (a `since` id, a timestamp). */
  cursor?: (body: unknown, headers: Headers) => string | undefined;
  /** Where the list of items is in the parsed body; markers are looked for in those only. Default: the whole raw body. */
  items?: (body: unknown) => unknown[];
}

/** One HTTP request that publishes an update: `data` is what to deliver (rtbench's marker and padding). */
export interface HttpPublishRequest {
  /** Default POST. */
  method?: string;
  /** A path on the target, or an absolute http:// URL (the app's internal API). */
  path: string;
  /** Default `content-type: application/json` when there is a body. */
  headers?: Headers;
  body?: string;
}

export interface AdapterPublish {
  /** Publish with an HTTP request; a 2xx answer acknowledges it. */
  http?: (channel: string, data: string) => HttpPublishRequest;
  /** Publish as a text message over one WebSocket of the same protocol; written is acknowledged. */
  ws?: { path?: string; headers?: Headers; open?: () => string[]; message: (channel: string, data: string) => string };
}

export interface Adapter {
  /** A name for the reports; default the module's file name. */
  name?: string;
  socketio?: SocketIoSubscriber;
  ws?: WsSubscriber;
  sse?: SseSubscriber;
  poll?: PollSubscriber;
  longPoll?: PollSubscriber;
  publish: AdapterPublish;
  /**
   * Texts to search for rtbench's markers in one received message (a WebSocket message, an SSE event's data,
   * a Socket.IO event's JSON, a poll body or item); default the message itself. For a server that encodes the
   * payload so the marker no longer shows (base64, compression): decode here and return the decoded texts.
   */
  findMarkers?: (message: string) => string[];
  /**
   * A path whose answer (any status below 500) says the target is up, checked before the run and once a second;
   * default: a TCP connect to the target (an app has no /healthz).
   */
  health?: string;
  /** How long the check before the run waits for the subscription to be confirmed (default 10,000 ms) and for the probe update (default 5,000 ms, plus a poll interval). */
  check?: { subscribeMs?: number; deliverMs?: number };
}
