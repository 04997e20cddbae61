/**
 * The Redis keys of one rtbench server (every node names the same prefix):
 * per channel a seq counter and a history stream, and one fan-out stream
 * that every node tails. Channel names are 1-128 of A-Z a-z 0-9 _ . : ~ -
 * (validate.ts), so they need no escaping in a key and never hold the comma
 * that joins them in a fan-out entry.
 */
export const DEFAULT_REDIS_PREFIX = 'rtbench:';

export class RedisKeys {
  constructor(readonly prefix: string = DEFAULT_REDIS_PREFIX) {}

  /** The last seq given on the channel (INCR). */
  seq(channel: string): string {
    return `${this.prefix}seq:${channel}`;
  }

  /** The channel's history stream: at most --history entries, none older than --history-ttl. */
  history(channel: string): string {
    return `${this.prefix}history:${channel}`;
  }

  /** Every publish of every node, in the order Redis numbered them. */
  get fanout(): string {
    return `${this.prefix}fanout`;
  }

  /** Made by the first node; gone or changed means Redis lost its data (epoch.ts). */
  get epoch(): string {
    return `${this.prefix}epoch`;
  }

  get seqPattern(): string {
    return `${this.prefix}seq:*`;
  }

  get historyPattern(): string {
    return `${this.prefix}history:*`;
  }

  /** The channel a key found by one of the patterns names. */
  channelOf(key: string, kind: 'seq' | 'history'): string {
    return key.slice(this.prefix.length + kind.length + 1);
  }
}
