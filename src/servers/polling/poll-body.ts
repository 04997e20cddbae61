/**
 * The body both polling transports answer with:
 * `{"cursor":M,"messages":[...]}` for one channel, and for several channels
 * `{"cursor":{"a":M1,"b":M2},"messages":[...]}`. Envelopes are spliced in as
 * their cached JSON text, so a message is serialised once however many
 * pollers fetch it.
 *
 * When messages between a cursor and the oldest one kept are gone, the body
 * ends with `"gap":{"from":F,"to":T}` (several channels: `"gap":{"a":{...}}`,
 * only the channels with one), and the cursor moves past the gap so the
 * next poll does not ask again.
 */
import type { ServerResponse } from 'node:http';
import type { Gap, Hub, HubMessage } from '../hub.js';
import { encodeBody, type GzipConfig } from './gzip-body.js';
import { checkCursorReachable, resume } from '../resume.js';
import type { ServerContext } from '../transport.js';
import type { Subscription } from '../validate.js';

/** What a poll answers with: the messages after each cursor and the gaps before them. */
export interface Collected {
  messages: HubMessage[];
  /** By channel; empty when nothing is missing. */
  gaps: Map<string, Gap>;
}

/** Refuses (400, RTB_ERR_CURSOR_AHEAD) a cursor past what its channel can reach. */
export function checkCursors(context: ServerContext, subscriptions: Subscription[]): void {
  for (const { channel, cursor } of subscriptions) checkCursorReachable(context, channel, cursor);
}

export function collectMessages(hub: Hub, subscriptions: Subscription[]): Collected {
  const gaps = new Map<string, Gap>();
  if (subscriptions.length === 1) {
    const { channel, cursor } = subscriptions[0]!;
    const { gap, messages } = resume(hub, channel, cursor);
    if (gap) gaps.set(channel, gap);
    return { messages, gaps };
  }
  const messages: HubMessage[] = [];
  for (const { channel, cursor } of subscriptions) {
    const found = resume(hub, channel, cursor);
    if (found.gap) gaps.set(channel, found.gap);
    for (const message of found.messages) messages.push(message);
  }
  return { messages, gaps };
}

/** True when a poll has something to answer with. */
export function hasNews({ messages, gaps }: Collected): boolean {
  return messages.length > 0 || gaps.size > 0;
}

export function pollBody(subscriptions: Subscription[], { messages, gaps }: Collected): string {
  const cursors = new Map(subscriptions.map(({ channel, cursor }) => [channel, cursor]));
  for (const [channel, gap] of gaps) if (gap.to > cursors.get(channel)!) cursors.set(channel, gap.to);
  for (const message of messages) {
    if (message.seq > cursors.get(message.channel)!) cursors.set(message.channel, message.seq);
  }
  const single = subscriptions.length === 1;
  const cursor = single ? String(cursors.get(subscriptions[0]!.channel)) : JSON.stringify(Object.fromEntries(cursors));
  let list = '';
  for (let i = 0; i < messages.length; i++) list += (i === 0 ? '' : ',') + messages[i]!.json;
  if (gaps.size === 0) return `{"cursor":${cursor},"messages":[${list}]}`;
  const gap = single ? JSON.stringify(gaps.values().next().value) : JSON.stringify(Object.fromEntries(gaps));
  return `{"cursor":${cursor},"messages":[${list}],"gap":${gap}}`;
}

/**
 * Answers a poll with `pollBody`; short polls add their ETag. With `gzip`
 * (the server's --gzip) the body may go out compressed, and every answer
 * says it depends on Accept-Encoding.
 */
export function sendPoll(res: ServerResponse, body: string, gzip: GzipConfig | undefined, etag?: string): void {
  if (res.destroyed) return;
  const encoded = encodeBody(body, res.req.headers['accept-encoding'], gzip);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(encoded.body),
    'cache-control': 'no-cache',
    ...(etag === undefined ? {} : { etag }),
    ...(gzip === undefined ? {} : { vary: 'Accept-Encoding' }),
    ...(encoded.encoding === undefined ? {} : { 'content-encoding': encoded.encoding }),
  });
  res.end(encoded.body);
}

/** Identifies what the channels hold: changes exactly when a message is added. */
export function etagOf(hub: Hub, subscriptions: Subscription[]): string {
  return `"${subscriptions.map(({ channel }) => hub.head(channel)).join('.')}"`;
}
