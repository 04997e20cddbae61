/**
 * A node's reading of the fan-out stream: every publish of every node, in
 * the order Redis numbered them, applied to the node's hub (which fans it
 * out to the node's subscribers). One blocking XREAD at a time on its own
 * connection, up to READ_COUNT entries per read, so a busy stream costs a
 * round trip per batch rather than per message.
 *
 * The fan-out stream is trimmed (about FANOUT_LENGTH entries): a node that
 * fell further behind, or whose connection was down for long, finds a seq
 * jump on a channel. It then fills the hole from that channel's history
 * stream; what the history no longer has is skipped (the hub's head moves
 * on and clients that resume from before it get the gap).
 */
import type { Redis } from 'ioredis';
import { applyBatch, type DeliverBatch } from '../cluster/publish-batch.js';
import type { Hub } from '../hub.js';
import { fanoutBatch, historyBatch, type StreamEntry } from './entries.js';
import type { RedisKeys } from './keys.js';

/** Entries taken per XREAD. */
export const READ_COUNT = 1000;
/** How long one XREAD blocks before the loop looks again (ms); bounds the time close() waits. */
const BLOCK_MS = 1000;
/** Wait after a failed read (Redis unreachable) before the next. */
const RETRY_MS = 250;

export class FanoutTail {
  #stopped = false;
  #done: Promise<void> | undefined;

  constructor(
    private readonly reader: Redis,
    private readonly keys: RedisKeys,
    private readonly hub: Hub,
    /** The last fan-out entry already reflected in the hub ('0-0': none). */
    private lastId: string,
    private readonly onApplied: ((batches: DeliverBatch[]) => void) | undefined,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    this.#done = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let reply: [string, StreamEntry[]][] | null;
      try {
        reply = (await this.reader.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.fanout, this.lastId)) as
          | [string, StreamEntry[]][]
          | null;
      } catch (error) {
        if (this.#stopped) return;
        this.onError(error as Error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      const entries = reply?.[0]?.[1];
      if (!entries || this.#stopped) continue;
      try {
        await this.#apply(entries);
      } catch (error) {
        this.onError(error as Error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  async #apply(entries: StreamEntry[]): Promise<void> {
    let applied: DeliverBatch[] = [];
    for (const entry of entries) {
      const batch = fanoutBatch(entry);
      for (let i = 0; i < batch.channels.length; i++) {
        const head = this.hub.head(batch.channels[i]!);
        if (head > 0 && batch.seqs[i]! > head + 1) {
          this.#flush(applied);
          applied = [];
          await this.#fill(batch.channels[i]!, head, batch.seqs[i]!);
        }
      }
      applyBatch(this.hub, batch);
      applied.push(batch);
      this.lastId = entry[0];
    }
    this.#flush(applied);
  }

  #flush(batches: DeliverBatch[]): void {
    if (batches.length > 0) this.onApplied?.(batches);
  }

  /** Applies the channel's messages after `head` and before `next` from its history; moves the head past what is gone. */
  async #fill(channel: string, head: number, next: number): Promise<void> {
    const entries = (await this.reader.xrange(this.keys.history(channel), '-', '+')) as StreamEntry[];
    const missing = entries.map((entry) => historyBatch(channel, entry)).filter((b) => b.seqs[0]! > head && b.seqs[0]! < next);
    const first = missing[0]?.seqs[0] ?? next;
    if (first > head + 1) this.hub.skipTo(channel, first - 1);
    for (const batch of missing) applyBatch(this.hub, batch);
    this.#flush(missing);
  }
}
