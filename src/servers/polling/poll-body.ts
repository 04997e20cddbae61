/**
 * The body both polling transports answer with:
 * `{"cursor":M,"messages":[...]}` for one channel, and for several channels
 * `{"cursor":{"a":M1,"b":M2},"messages":[...]}`. Envelopes are spliced in as
 * their cached JSON text, so a message is serialised once however many
 * pollers fetch it.
 */
import type { ServerResponse } from 'node:http';
import type { Hub, HubMessage } from '../hub.js';
import type { Subscription } from '../validate.js';

export function collectMessages(hub: Hub, subscriptions: Subscription[]): HubMessage[] {
  if (subscriptions.length === 1) {
    return hub.since(subscriptions[0]!.channel, subscriptions[0]!.cursor);
  }
  return subscriptions.flatMap(({ channel, cursor }) => hub.since(channel, cursor));
}

export function pollBody(subscriptions: Subscription[], messages: HubMessage[]): string {
  const cursors = new Map(subscriptions.map(({ channel, cursor }) => [channel, cursor]));
  for (const message of messages) {
    if (message.seq > cursors.get(message.channel)!) cursors.set(message.channel, message.seq);
  }
  const cursor = subscriptions.length === 1 ? String(cursors.get(subscriptions[0]!.channel)) : JSON.stringify(Object.fromEntries(cursors));
  let list = '';
  for (let i = 0; i < messages.length; i++) list += (i === 0 ? '' : ',') + messages[i]!.json;
  return `{"cursor":${cursor},"messages":[${list}]}`;
}

/** Answers a poll with `pollBody`; short polls add their ETag. */
export function sendPoll(res: ServerResponse, body: string, etag?: string): void {
  if (res.destroyed) return;
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    ...(etag === undefined ? {} : { etag }),
  });
  res.end(body);
}

/** Identifies what the channels hold: changes exactly when a message is added. */
export function etagOf(hub: Hub, subscriptions: Subscription[]): string {
  return `"${subscriptions.map(({ channel }) => hub.head(channel)).join('.')}"`;
}
