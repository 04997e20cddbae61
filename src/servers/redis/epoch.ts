/**
 * A Redis that comes back empty (restarted without persistence, flushed)
 * would start every channel's seq at 1 again: the nodes, which already have
 * those seqs, would skip the new messages while their publishers got 202.
 * The nodes therefore share an epoch key, made by the first of them. After a
 * reconnection a node reads it: gone or different means Redis lost its data,
 * and the node writes its channels' heads back into the seq counters (each
 * raised to at least the node's head, never lowered) before it publishes
 * again, so seqs go on where they were. What Redis lost (its history, and
 * publishes no node had read yet) stays lost: run Redis with persistence
 * (appendonly) where publishes must outlive a Redis crash.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Hub } from '../hub.js';
import type { RedisKeys } from './keys.js';

/** KEYS: seq counters; ARGV: the heads, in the same order. Raises each counter to its head. */
const SEED_LUA = `
for i = 1, #KEYS do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current < tonumber(ARGV[i]) then redis.call('SET', KEYS[i], ARGV[i]) end
end
return #KEYS
`;

/** Channels seeded per script run, so one run never blocks Redis for long. */
const SEED_CHUNK = 1000;

export class RedisEpoch {
  readonly #mine = randomUUID();
  #current: string | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Takes the server's epoch, making it if there is none. */
  async join(): Promise<void> {
    await this.redis.set(this.keys.epoch, this.#mine, 'NX');
    this.#current = await this.redis.get(this.keys.epoch);
  }

  /** After a reconnection: false when Redis had lost its data (the heads are back in it then). */
  async check(hub: Hub): Promise<boolean> {
    if ((await this.redis.get(this.keys.epoch)) === this.#current) return true;
    const channels = hub.channelNames().filter((channel) => hub.head(channel) > 0);
    for (let i = 0; i < channels.length; i += SEED_CHUNK) {
      const chunk = channels.slice(i, i + SEED_CHUNK);
      await this.redis.eval(SEED_LUA, chunk.length, ...chunk.map((c) => this.keys.seq(c)), ...chunk.map((c) => hub.head(c)));
    }
    await this.join();
    return false;
  }
}
