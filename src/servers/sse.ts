/**
 * Server-Sent Events, `GET /sse?channel=C[&cursor=N]`. Each event's `id:` is
 * the seq (for several channels, the cursor of every channel, `a:5,b:7`), so
 * an EventSource that reconnects sends `Last-Event-ID` and resumes exactly
 * where it stopped. A comment line every ping interval keeps proxies from
 * closing an idle stream.
 */
import type { ServerResponse } from 'node:http';
import type { HubMessage, Subscriber } from './hub.js';
import { RequestError } from './errors.js';
import { queryOf, requireMethod, sendError } from './http-util.js';
import type { Subscription } from './poll-body.js';
import type { ServerContext, ServerTransport } from './transport.js';
import { checkChannel, checkCursor, parseSubscriptions } from './validate.js';

/** A stream whose unsent backlog passes this is too slow to keep. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** The heartbeat comment, one buffer for every stream. */
const HEARTBEAT = Buffer.from(':\n\n');

/**
 * One event as bytes, made once per message and shared by every stream that
 * carries it: a stream that cannot keep up holds a reference, not a copy
 * (a string would be encoded again for each socket it is buffered on).
 */
function singleChannelEvent(message: HubMessage): Buffer {
  return Buffer.from(`id: ${message.seq}\ndata: ${message.json}\n\n`);
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
  constructor(
    readonly res: ServerResponse,
    readonly subscriptions: Subscription[],
    private readonly onDelivered: () => void,
  ) {}

  deliver(message: HubMessage): void {
    const subscription =
      this.subscriptions.length === 1
        ? this.subscriptions[0]!
        : this.subscriptions.find((s) => s.channel === message.channel)!;
    if (message.seq <= subscription.cursor) return;
    subscription.cursor = message.seq;
    this.onDelivered();
    if (this.subscriptions.length === 1) {
      this.res.write(message.encoded('sse-bytes', singleChannelEvent));
    } else {
      const id = this.subscriptions.map((s) => `${s.channel}:${s.cursor}`).join(',');
      this.res.write(`id: ${id}\ndata: ${message.json}\n\n`);
    }
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.res.destroy();
  }
}

export function sseTransport({ hub, config }: ServerContext): ServerTransport {
  const streams = new Set<EventStream>();
  let subscribers = 0;
  let delivered = 0;
  const countDelivery = () => delivered++;

  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.res.write(HEARTBEAT);
  }, config.pingIntervalMs);
  heartbeat.unref();

  return {
    name: 'sse',
    routes: {
      '/sse': (req, res) => {
        try {
          requireMethod(req, res, 'GET');
          const subscriptions = parseSubscriptions(queryOf(req.url), { cursorRequired: false });
          const lastEventId = req.headers['last-event-id'];
          if (typeof lastEventId === 'string' && lastEventId !== '') resumeFrom(lastEventId, subscriptions);

          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
            'x-accel-buffering': 'no',
          });
          res.socket?.setNoDelay(true);
          const stream = new EventStream(res, subscriptions, countDelivery);
          // Subscribe before replaying so nothing published in between is
          // missed; deliver() skips what the replay already sent.
          for (const { channel } of subscriptions) hub.subscribe(channel, stream);
          streams.add(stream);
          subscribers += subscriptions.length;
          res.write(':ok\n\n');
          for (const { channel, cursor } of subscriptions.map((s) => ({ ...s }))) {
            for (const message of hub.since(channel, cursor)) stream.deliver(message);
          }
          res.once('close', () => {
            for (const { channel } of subscriptions) hub.unsubscribe(channel, stream);
            streams.delete(stream);
            subscribers -= subscriptions.length;
          });
        } catch (error) {
          sendError(res, error);
        }
      },
    },
    stats: () => ({ connections: streams.size, subscribers, delivered }),
    close: () => {
      clearInterval(heartbeat);
      for (const stream of streams) stream.res.end();
    },
  };
}
