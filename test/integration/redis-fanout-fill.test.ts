/**
 * A node whose place in the fan-out stream was trimmed away (it was behind
 * by more than the stream keeps) fills the hole from the channel's history
 * stream, in seq order, and moves its head past what the history no longer
 * has, so a resume from before that gets the gap. Real redis-server; the
 * node's side is a hub and the tail (redis/fanout-tail.ts) in this process.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type HubMessage, Hub } from '../../src/servers/hub.js';
import { FanoutTail } from '../../src/servers/redis/fanout-tail.js';
import { RedisBackplane } from '../../src/servers/redis/redis-backplane.js';
import { redisForSuite } from '../helpers/redis-server.js';

describe('redis fan-out tail: a hole in the fan-out stream', () => {
  const redis = redisForSuite();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('is filled from the history stream; what the history lost becomes a gap', async () => {
    const publisher = await RedisBackplane.connect({ url: redis.url, prefix: 'fill:', historySize: 5, historyTtlMs: 0 });
    cleanups.push(() => publisher.close());
    const publishOne = (i: number) => publisher.publish([{ event: 'update', ts: 1000 + i, dataJson: JSON.stringify(i), channels: ['c'] }]);
    for (let i = 1; i <= 12; i++) expect(await publishOne(i)).toEqual([i]);
    // The node had seen seqs 1 and 2; then the fan-out stream lost everything up to seq 12.
    const admin = new Redis(redis.url);
    cleanups.push(() => admin.quit());
    await admin.xtrim('fill:fanout', 'MAXLEN', 0);
    expect(await publishOne(13)).toEqual([13]);

    const hub = new Hub({ historySize: 100 });
    cleanups.push(async () => hub.close());
    hub.restore([1, 2].map((seq) => ({ channel: 'c', seq, event: 'update', ts: 1000 + seq, data: seq })));
    const delivered: HubMessage[] = [];
    hub.subscribe('c', { deliver: (message) => delivered.push(message) });
    const applied: number[][] = [];
    const reader = new Redis(redis.url);
    cleanups.push(() => reader.quit());
    const errors: Error[] = [];
    const tail = new FanoutTail(
      reader,
      publisher.keys,
      hub,
      '0-0',
      (batches) => applied.push(batches.flatMap((b) => b.seqs)),
      (e) => errors.push(e),
    );
    tail.start();
    cleanups.push(() => tail.stop());

    const deadline = Date.now() + 5000;
    while (hub.head('c') < 13 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).toEqual([]);
    expect(hub.head('c')).toBe(13);
    // The history kept 8..12 (5 messages) before seq 13 was added: 9..12 fill the hole, 3..8 are gone.
    expect(delivered.map((m) => [m.seq, m.data])).toEqual([9, 10, 11, 12, 13].map((seq) => [seq, seq]));
    expect(applied.flat()).toEqual([9, 10, 11, 12, 13]);
    expect(hub.since('c', 0).map((m) => m.seq)).toEqual([9, 10, 11, 12, 13]);
    expect(hub.gapAfter('c', 2)).toEqual({ from: 3, to: 8 });
  });
});
