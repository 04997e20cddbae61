/**
 * Server-Sent Events, `GET /sse?channel=C[&cursor=N]`. Each event's `id:` is
 * the seq (for several channels, the cursor of every channel, `a:5,b:7`), so
 * an EventSource that reconnects sends `Last-Event-ID` and resumes exactly
 * where it stopped. Without a cursor or `Last-Event-ID` the stream starts
 * from now, as /ws does. A cursor older than the history kept gets an
 * `event: gap` (`data: {"channel","from","to"}`) before the replay. A comment
 * line every ping interval keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Gap, HubMessage, Subscriber } from './hub.js';
import { RequestError } from './errors.js';
import { http2StreamWriter } from './h2/stream-writer.js';
import { getRoute, queryOf } from './http-util.js';
import { checkCursorReachable, gapBody, resume } from './resume.js';
import type { ServerContext, ServerTransport } from './transport.js';
import { checkChannel, checkCursor, parseSubscriptions, type Subscription } from './validate.js';

/** A stream whose unsent backlog passes this is too slow to keep. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Over HTTP/1.1 the response body is chunked (no length), and each event
 * goes out as one chunk, framed here: `<size hex>\r\n<event>\r\n`, the
 * bytes `res.write()` would produce. Framing it once per message lets every
 * stream write the same Buffer to its socket in one call; `res.write()`
 * would frame it again for each stream in four writes (size, CRLF, data,
 * CRLF), the allocations that dominated fan-out at 100,000 streams.
 */
function chunk(text: string): Buffer {
  const length = Buffer.byteLength(text);
  return Buffer.from(`${length.toString(16)}\r\n${text}\r\n`);
}

/**
 * How events are framed for one protocol. HTTP/2 (h2/stream-writer.ts) frames
 * the bytes itself in DATA frames, so its events go out bare; each wire has
 * its own cache key, so a message is still encoded once per wire format.
 */
interface EventWire {
  readonly format: string;
  frame(text: string): Buffer;
  readonly heartbeat: Buffer;
  readonly opened: Buffer;
}

function wire(format: string, frame: (text: string) => Buffer): EventWire {
  // The heartbeat comment, and the first comment that tells the client the stream is open before any event.
  return { format, frame, heartbeat: frame(':\n\n'), opened: frame(':ok\n\n') };
}

const CHUNKED = wire('sse-chunk', chunk);
const BARE_EVENTS = wire('sse-event', (text) => Buffer.from(text));

/** Where a stream's bytes go; for HTTP/1.1 straight to the socket (the head is already out). */
interface EventSink {
  readonly wire: EventWire;
  /** Writes, and ends the stream if the client reads too slowly (its unsent backlog passes MAX_BUFFERED_BYTES). */
  write(framed: Buffer): void;
}

function sinkFor(req: IncomingMessage, res: ServerResponse, socket: Socket): EventSink {
  if (req.httpVersionMajor === 2) return { wire: BARE_EVENTS, write: http2StreamWriter(res, MAX_BUFFERED_BYTES) };
  return socketSink(socket);
}

function socketSink(socket: Socket): EventSink {
  return {
    wire: CHUNKED,
    write(framed) {
      if (socket.destroyed) return;
      socket.write(framed);
      if (socket.writableLength > MAX_BUFFERED_BYTES) socket.destroy();
    },
  };
}

/** Applies `Last-Event-ID` (`7`, or `a:5,b:7` for several channels). */
function resumeFrom(lastEventId: string, subscriptions: Subscription[]): void {
  if (subscriptions.length === 1 && !lastEventId.includes(':')) {
    subscriptions[0]!.cursor = checkCursor(lastEventId, 'Last-Event-ID');
    return;
  }
  for (const part of lastEventId.split(',')) {
    const colon = part.lastIndexOf(':');
    if (colon === -1) throw new RequestError(`Last-Event-ID ${JSON.stringify(lastEventId)} is not channel:seq,...`);
    const channel = checkChannel(part.slice(0, colon));
    const subscription = subscriptions.find((s) => s.channel === channel);
    if (subscription) subscription.cursor = checkCursor(part.slice(colon + 1), 'Last-Event-ID');
  }
}

class EventStream implements Subscriber {
  readonly #frameSingle: (message: HubMessage) => Buffer;

  constructor(
    readonly res: ServerResponse,
    readonly sink: EventSink,
    readonly subscriptions: Subscription[],
    private readonly onDelivered: () => void,
  ) {
    const { frame } = sink.wire;
    this.#frameSingle = frame === chunk ? singleChunk : (message) => frame(`id: ${message.seq}\ndata: ${message.json}\n\n`);
  }

  deliver(message: HubMessage): void {
    const subscription =
      this.subscriptions.length === 1 ? this.subscriptions[0]! : this.subscriptions.find((s) => s.channel === message.channel)!;
    if (message.seq <= subscription.cursor) return;
    subscription.cursor = message.seq;
    this.onDelivered();
    if (this.subscriptions.length === 1) {
      this.write(message.encoded(this.sink.wire.format, this.#frameSingle));
    } else {
      const id = this.subscriptions.map((s) => `${s.channel}:${s.cursor}`).join(',');
      this.write(this.sink.wire.frame(`id: ${id}\ndata: ${message.json}\n\n`));
    }
  }

  /** `event: gap` for messages the history no longer has; its id moves the resume point past them. */
  writeGap(channel: string, gap: Gap): void {
    const subscription = this.subscriptions.find((s) => s.channel === channel)!;
    subscription.cursor = Math.max(subscription.cursor, gap.to);
    const id =
      this.subscriptions.length === 1 ? String(subscription.cursor) : this.subscriptions.map((s) => `${s.channel}:${s.cursor}`).join(',');
    this.write(this.sink.wire.frame(`event: gap\nid: ${id}\ndata: ${JSON.stringify(gapBody(channel, gap))}\n\n`));
  }

  write(framed: Buffer): void {
    this.sink.write(framed);
  }

  heartbeat(): void {
    this.sink.write(this.sink.wire.heartbeat);
  }
}

/** Module-level, so the HTTP/1.1 cache entry is one function for every stream. */
function singleChunk(message: HubMessage): Buffer {
  return chunk(`id: ${message.seq}\ndata: ${message.json}\n\n`);
}

/**
 * The subscriptions of a request with the cursor each starts after: the
 * query's cursors, then `Last-Event-ID`, else the channel's head (from now).
 * A cursor ahead of the head is refused with 400 before anything is sent.
 */
function startingPoints(req: IncomingMessage, context: ServerContext): Subscription[] {
  const query = queryOf(req.url);
  const subscriptions = parseSubscriptions(query, { cursorRequired: false, maxChannels: context.config.maxSubscriptions });
  const lastEventId = req.headers['last-event-id'];
  const resuming = typeof lastEventId === 'string' && lastEventId !== '';
  if (resuming) resumeFrom(lastEventId, subscriptions);
  if (!resuming && !query.has('cursor')) {
    for (const subscription of subscriptions) subscription.cursor = context.hub.head(subscription.channel);
    return subscriptions;
  }
  for (const { channel, cursor } of subscriptions) checkCursorReachable(context, channel, cursor);
  return subscriptions;
}

export function sseTransport(context: ServerContext): ServerTransport {
  const { hub, config } = context;
  const streams = new Set<EventStream>();
  let subscribers = 0;
  let delivered = 0;
  const countDelivery = () => delivered++;

  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.heartbeat();
  }, config.pingIntervalMs);
  heartbeat.unref();

  return {
    name: 'sse',
    routes: {
      '/sse': getRoute((req, res) => {
        const subscriptions = startingPoints(req, context);
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        });
        const socket = res.socket;
        if (!socket) return;
        socket.setNoDelay(true);
        // Sends the head now (HTTP/1.1: Node adds Transfer-Encoding: chunked), so the
        // events can be written to the socket as ready-made chunks.
        res.flushHeaders();
        const sink = sinkFor(req, res, socket);
        const stream = new EventStream(res, sink, subscriptions, countDelivery);
        // Subscribe before replaying so nothing published in between is
        // missed; deliver() skips what the replay already sent.
        for (const { channel } of subscriptions) hub.subscribe(channel, stream);
        streams.add(stream);
        subscribers += subscriptions.length;
        stream.write(sink.wire.opened);
        for (const { channel, cursor } of subscriptions.map((s) => ({ ...s }))) {
          const { gap, messages } = resume(hub, channel, cursor);
          if (gap) stream.writeGap(channel, gap);
          for (const message of messages) stream.deliver(message);
        }
        res.once('close', () => {
          for (const { channel } of subscriptions) hub.unsubscribe(channel, stream);
          streams.delete(stream);
          subscribers -= subscriptions.length;
        });
      }),
    },
    stats: () => ({ connections: streams.size, subscribers, delivered }),
    close: () => {
      clearInterval(heartbeat);
      for (const stream of streams) stream.res.end();
    },
  };
}
