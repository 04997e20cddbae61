/**
 * One suite over the four transports of the server under test, run against a
 * server in this process and against `rtbench serve --workers 3`, with
 * ordinary clients: every message exactly once and in seq order, resuming
 * from a cursor, several channels per client.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/servers/hub.js';
import { serverForSuite, startCli, startInProcess } from '../helpers/server.js';
import { publish, publishMany, subscribe, TRANSPORT_NAMES } from '../helpers/subscribers.js';

const MODES = [
  { mode: 'in-process', start: () => startInProcess() },
  { mode: '--workers 3', start: () => startCli(['--workers', '3']) },
];

function seqsOf(messages: Envelope[], channel?: string): number[] {
  return messages.filter((m) => channel === undefined || m.channel === channel).map((m) => m.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Lets late duplicates arrive before the count is checked. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe.each(MODES)('server $mode', ({ start }) => {
  const server = serverForSuite(start);

  describe.each(TRANSPORT_NAMES)('%s', (transport) => {
    it('delivers every message published to the channel exactly once, in seq order', async () => {
      const channel = `c-${randomUUID()}`;
      const subscriber = await subscribe(transport, server.url, [channel]);
      try {
        await publishMany(server.url, channel, 30);
        const messages = await subscriber.waitFor(30);
        await settle();
        expect(seqsOf(messages)).toEqual(range(1, 30));
        expect(messages.every((m) => m.channel === channel && m.event === 'update')).toBe(true);
        expect(messages.map((m) => (m.data as { i: number }).i)).toEqual(range(0, 29));
        expect(messages.every((m) => typeof m.ts === 'number' && m.ts > 1.7e12)).toBe(true);
      } finally {
        await subscriber.close();
      }
    });

    it('resumes from a cursor with exactly the messages after it, then live ones', async () => {
      const channel = `c-${randomUUID()}`;
      await publishMany(server.url, channel, 10);
      const subscriber = await subscribe(transport, server.url, [channel], [4]);
      try {
        await subscriber.waitFor(6);
        await publishMany(server.url, channel, 2);
        const messages = await subscriber.waitFor(8);
        await settle();
        expect(seqsOf(messages)).toEqual(range(5, 12));
      } finally {
        await subscriber.close();
      }
    });

    it('serves several channels on one client, each in its own seq order', async () => {
      const a = `a-${randomUUID()}`;
      const b = `b-${randomUUID()}`;
      const other = `o-${randomUUID()}`;
      const subscriber = await subscribe(transport, server.url, [a, b]);
      try {
        await publishMany(server.url, [a, b], 5);
        await publishMany(server.url, other, 3);
        await publishMany(server.url, b, 2);
        const messages = await subscriber.waitFor(12);
        await settle();
        expect(seqsOf(messages, a)).toEqual(range(1, 5));
        expect(seqsOf(messages, b)).toEqual(range(1, 7));
        expect(messages).toHaveLength(12);
      } finally {
        await subscriber.close();
      }
    });
  });

  it('answers a publish to several channels with one seq per channel', async () => {
    const a = `a-${randomUUID()}`;
    const b = `b-${randomUUID()}`;
    await publishMany(server.url, a, 2);
    const answer = await publish(server.url, { channel: [a, b], event: 'x', data: 1 });
    expect(answer).toEqual({ status: 202, body: { seqs: { [a]: 3, [b]: 1 } } });
  });
});
