/**
 * What the hub keeps for clients that resume from a cursor, and its bounds:
 * per channel at most `historySize` messages and `historyBytes` bytes, for
 * the whole process at most `historyTotalBytes`, and nothing older than
 * `historyTtlMs`. The oldest message goes first, whichever bound is hit.
 *
 * Every retained message is in two orders at once: its channel's queue
 * (ChannelHistory, what a resume reads) and one process-wide list in arrival
 * order (HistoryLink, what the total budget and the age limit trim). A
 * channel's messages arrive in seq order, so the process-wide oldest is
 * always the oldest of its own channel, and each eviction is O(1).
 *
 * Bytes counted per message: its envelope JSON, each wire encoding a
 * transport caches on it (HubMessage.encoded), and a fixed overhead for the
 * objects that hold them.
 */
import type { HubMessage } from './hub.js';

export interface HistoryLimits {
  /** Messages kept per channel. */
  historySize: number;
  /** Bytes kept per channel. */
  historyBytes: number;
  /** Bytes kept by all channels together. */
  historyTotalBytes: number;
  /** Age after which a message leaves the history; 0 keeps messages until a size bound drops them. */
  historyTtlMs: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  historySize: 1000,
  historyBytes: 8 * 1024 * 1024,
  historyTotalBytes: 256 * 1024 * 1024,
  historyTtlMs: 300_000,
};

/** The message object, its link and its queue slot: counted beside the encodings. */
export const MESSAGE_OVERHEAD_BYTES = 200;

/** One channel's retained messages, oldest first, with consecutive seqs. The array is made on first use. */
export class ChannelHistory {
  #items: (HubMessage | undefined)[] | undefined;
  #first = 0;
  /** Bytes its retained messages count for. */
  historyBytes = 0;

  get historyLength(): number {
    return this.#items === undefined ? 0 : this.#items.length - this.#first;
  }

  /** The seq of the oldest retained message, if any. */
  get oldestSeq(): number | undefined {
    return this.#items?.[this.#first]?.seq;
  }

  /** Retained messages with seq > cursor, oldest first. */
  historyAfter(cursor: number): HubMessage[] {
    const items = this.#items;
    if (items === undefined) return [];
    const oldest = items[this.#first]!.seq;
    const start = this.#first + Math.max(0, cursor - oldest + 1);
    return items.slice(start) as HubMessage[];
  }

  pushHistory(message: HubMessage): void {
    this.#items ??= [];
    this.#items.push(message);
  }

  shiftHistory(): HubMessage {
    const items = this.#items!;
    const message = items[this.#first]!;
    items[this.#first++] = undefined;
    if (this.#first === items.length) {
      // Empty: let the array go, a quiet channel keeps no storage.
      this.#items = undefined;
      this.#first = 0;
    } else if (this.#first >= 64 && this.#first * 2 >= items.length) {
      this.#items = items.slice(this.#first);
      this.#first = 0;
    }
    return message;
  }
}

/** A retained message's place in the process-wide arrival order. */
export class HistoryLink {
  older: HistoryLink | undefined;
  newer: HistoryLink | undefined;

  constructor(
    readonly store: HistoryStore,
    readonly history: ChannelHistory,
    readonly retainedAt: number,
    public bytes: number,
  ) {}
}

/** What the store needs of a message: its size and a slot for its link. */
export interface Retainable {
  readonly json: string;
  historyLink: HistoryLink | undefined;
}

export class HistoryStore {
  #oldest: HistoryLink | undefined;
  #newest: HistoryLink | undefined;
  #expiry: NodeJS.Timeout | undefined;
  /** Bytes held by every channel's history. */
  totalBytes = 0;

  constructor(readonly limits: HistoryLimits) {}

  retain(history: ChannelHistory, message: HubMessage): void {
    const { historySize, historyBytes } = this.limits;
    if (historySize === 0) return;
    const link = new HistoryLink(this, history, performance.now(), message.json.length + MESSAGE_OVERHEAD_BYTES);
    link.older = this.#newest;
    if (this.#newest) this.#newest.newer = link;
    else this.#oldest = link;
    this.#newest = link;
    message.historyLink = link;
    history.pushHistory(message);
    history.historyBytes += link.bytes;
    this.totalBytes += link.bytes;
    while (history.historyLength > historySize || history.historyBytes > historyBytes) this.#evictOldestOf(history);
    this.#trimTotal();
    this.expire();
  }

  /** A transport cached another encoding of a retained message: count it, and trim if over. */
  grew(link: HistoryLink, bytes: number): void {
    link.bytes += bytes;
    link.history.historyBytes += bytes;
    this.totalBytes += bytes;
    while (link.history.historyBytes > this.limits.historyBytes) this.#evictOldestOf(link.history);
    this.#trimTotal();
  }

  /** Drops what is older than the TTL; keeps one timer armed while anything may expire. */
  expire(): void {
    const ttl = this.limits.historyTtlMs;
    if (ttl <= 0) return;
    const now = performance.now();
    while (this.#oldest && now - this.#oldest.retainedAt >= ttl) this.#evictOldestOf(this.#oldest.history);
    if (this.#oldest && this.#expiry === undefined) {
      const delay = Math.max(1, this.#oldest.retainedAt + ttl - now + 1);
      this.#expiry = setTimeout(HistoryStore.#onExpiryDue, delay, this);
      this.#expiry.unref();
    }
  }

  static #onExpiryDue(store: HistoryStore): void {
    store.#expiry = undefined;
    store.expire();
  }

  /** Drops every message a channel keeps. */
  drop(history: ChannelHistory): void {
    while (history.historyLength > 0) this.#evictOldestOf(history);
  }

  close(): void {
    clearTimeout(this.#expiry);
    this.#expiry = undefined;
  }

  #trimTotal(): void {
    while (this.totalBytes > this.limits.historyTotalBytes && this.#oldest) this.#evictOldestOf(this.#oldest.history);
  }

  #evictOldestOf(history: ChannelHistory): void {
    const message = history.shiftHistory() as Retainable;
    const link = message.historyLink!;
    message.historyLink = undefined;
    if (link.older) link.older.newer = link.newer;
    else this.#oldest = link.newer;
    if (link.newer) link.newer.older = link.older;
    else this.#newest = link.older;
    history.historyBytes -= link.bytes;
    this.totalBytes -= link.bytes;
  }
}
