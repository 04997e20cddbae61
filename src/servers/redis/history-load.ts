/**
 * A node's start on the backplane: the history every channel keeps in Redis,
 * loaded into the node's hub, so a client that resumes here gets what it
 * would get on a node that was there all along. The tail (fanout-tail.ts)
 * starts from a fan-out position read before this load, so a message
 * published meanwhile arrives twice and its second copy is skipped by seq.
 *
 * A channel whose whole history is gone (TTL) still has its seq counter:
 * its head is set from it, so seqs go on and a client resuming from an
 * older cursor gets the gap.
 */
import type { Redis } from 'ioredis';
import type { Hub } from '../hub.js';
import { entryTimeMs, historyBatch, type StreamEntry } from './entries.js';
import type { RedisKeys } from './keys.js';

/** Keys asked of SCAN per round trip. */
const SCAN_COUNT = 1000;

/** Loads every channel's history and head into `hub`; resolves with the number of messages loaded. */
export async function loadHistory(redis: Redis, keys: RedisKeys, hub: Hub, ttlMs: number): Promise<number> {
  // Heads first: one read later than the history could name a seq the history load missed.
  const heads = await readHeads(redis, keys);
  const [seconds, micros] = await redis.time();
  const oldestKept = ttlMs > 0 ? Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - ttlMs : 0;
  let loaded = 0;
  for await (const found of redis.scanStream({ match: keys.historyPattern, count: SCAN_COUNT })) {
    for (const key of found as string[]) {
      const channel = keys.channelOf(key, 'history');
      const entries = (await redis.xrange(key, '-', '+')) as StreamEntry[];
      const kept = entries.filter((entry) => entryTimeMs(entry) >= oldestKept).map((entry) => historyBatch(channel, entry));
      hub.restore(kept.map((b) => ({ channel, seq: b.seqs[0]!, event: b.event, ts: b.ts, data: JSON.parse(b.dataJson) })));
      loaded += kept.length;
    }
  }
  for (const [channel, seq] of heads) if (hub.head(channel) === 0) hub.skipTo(channel, seq);
  return loaded;
}

async function readHeads(redis: Redis, keys: RedisKeys): Promise<Map<string, number>> {
  const heads = new Map<string, number>();
  for await (const found of redis.scanStream({ match: keys.seqPattern, count: SCAN_COUNT })) {
    const names = found as string[];
    if (names.length === 0) continue;
    const values = await redis.mget(...names);
    names.forEach((key, i) => {
      const seq = Number(values[i]);
      if (Number.isSafeInteger(seq) && seq > 0) heads.set(keys.channelOf(key, 'seq'), seq);
    });
  }
  return heads;
}
