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
import { getRoute, queryOf } from './http-util.js';
import { checkCursorReachable, gapBody, resume } from './resume.js';
import type { ServerContext, ServerTransport } from './transport.js';
import { checkChannel, checkCursor, parseSubscriptions, type Subscription } from './validate.js';

/** A stream whose unsent backlog passes this is too slow to keep. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * The response body is chunked (HTTP/1.1, no length), and each event goes
 * out as one chunk, framed here: `<size hex>\r\n<event>\r\n`, the bytes
 * `res.write()` would produce. Framing it once per message lets every
 * stream write the same Buffer to its socket in one call; `res.write()`
 * would frame it again for each stream in four writes (size, CRLF, data,
 * CRLF), the allocations that dominated fan-out at 100,000 streams.
 */
function chunk(text: string): Buffer {
  const length = Buffer.byteLength(text);
  return Buffer.from(`${length.toString(16)}\r\n${text}\r\n`);
}

function singleChannelEvent(message: HubMessage): Buffer {
  return chunk(`id: ${message.seq}\ndata: ${message.json}\n\n`);
}

/** The heartbeat comment, one buffer for every stream. */
const HEARTBEAT = chunk(':\n\n');
/** The first comment: tells the client the stream is open before any event. */
const OPENED = chunk(':ok\n\n');

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
  constructor(
    readonly res: ServerResponse,
    readonly socket: Socket,
    readonly subscriptions: Subscription[],
    private readonly onDelivered: () => void,
  ) {}

  deliver(message: HubMessage): void {
    const subscription =
      this.subscriptions.length === 1 ? this.subscriptions[0]! : this.subscriptions.find((s) => s.channel === message.channel)!;
    if (message.seq <= subscription.cursor) return;
    subscription.cursor = message.seq;
    this.onDelivered();
    if (this.subscriptions.length === 1) {
      this.write(message.encoded('sse-chunk', singleChannelEvent));
    } else {
      const id = this.subscriptions.map((s) => `${s.channel}:${s.cursor}`).join(',');
      this.write(chunk(`id: ${id}\ndata: ${message.json}\n\n`));
    }
  }

  /** `event: gap` for messages the history no longer has; its id moves the resume point past them. */
  writeGap(channel: string, gap: Gap): void {
    const subscription = this.subscriptions.find((s) => s.channel === channel)!;
    subscription.cursor = Math.max(subscription.cursor, gap.to);
    const id =
      this.subscriptions.length === 1 ? String(subscription.cursor) : this.subscriptions.map((s) => `${s.channel}:${s.cursor}`).join(',');
    this.write(chunk(`event: gap\nid: ${id}\ndata: ${JSON.stringify(gapBody(channel, gap))}\n\n`));
  }

  /** One framed chunk straight to the socket (the head is already out). */
  write(framed: Buffer): void {
    if (this.socket.destroyed) return;
    this.socket.write(framed);
    if (this.socket.writableLength > MAX_BUFFERED_BYTES) this.socket.destroy();
  }
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
    for (const stream of streams) stream.write(HEARTBEAT);
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
        // Sends the head now (Node adds Transfer-Encoding: chunked), so the
        // events can be written to the socket as ready-made chunks.
        res.flushHeaders();
        const stream = new EventStream(res, socket, subscriptions, countDelivery);
        // Subscribe before replaying so nothing published in between is
        // missed; deliver() skips what the replay already sent.
        for (const { channel } of subscriptions) hub.subscribe(channel, stream);
        streams.add(stream);
        subscribers += subscriptions.length;
        stream.write(OPENED);
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
