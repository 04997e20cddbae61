/**
 * The hub: channels, per-channel sequence numbers, a bounded history ring per
 * channel, and fan-out to subscribers. It knows no transport: a subscriber is
 * anything with a `deliver(message)` method, and a message caches each wire
 * encoding the first time a transport asks for it, so a broadcast to 100,000
 * subscribers serialises once per wire format, not once per subscriber.
 */

/** The envelope every transport delivers (docs/architecture.md describes it). */
export interface Envelope {
  channel: string;
  seq: number;
  event: string;
  ts: number;
  data: unknown;
}

export class HubMessage implements Envelope {
  readonly channel: string;
  readonly seq: number;
  readonly event: string;
  readonly ts: number;
  readonly data: unknown;
  #json: string | undefined;
  #encodings: Map<string, unknown> | undefined;

  constructor(envelope: Envelope) {
    this.channel = envelope.channel;
    this.seq = envelope.seq;
    this.event = envelope.event;
    this.ts = envelope.ts;
    this.data = envelope.data;
  }

  /** The envelope as JSON text; built once per message. */
  get json(): string {
    if (this.#json === undefined) {
      this.#json = JSON.stringify({
        channel: this.channel,
        seq: this.seq,
        event: this.event,
        ts: this.ts,
        data: this.data,
      });
    }
    return this.#json;
  }

  /**
   * A transport-specific encoding, built by `encode` on first use and shared
   * by every later subscriber of the same format.
   */
  encoded<T>(format: string, encode: (message: HubMessage) => T): T {
    this.#encodings ??= new Map();
    let value = this.#encodings.get(format) as T | undefined;
    if (value === undefined) {
      value = encode(this);
      this.#encodings.set(format, value);
    }
    return value;
  }

  toJSON(): Envelope {
    return { channel: this.channel, seq: this.seq, event: this.event, ts: this.ts, data: this.data };
  }
}

export interface Subscriber {
  deliver(message: HubMessage): void;
}

export interface PublishInput {
  channel: string;
  event: string;
  data: unknown;
  /** Publisher's timestamp (epoch ms); the hub stamps "now" when absent. */
  ts?: number;
}

export interface HubOptions {
  /** Messages kept per channel for resuming from a cursor. */
  historySize?: number;
}

export const DEFAULT_HISTORY_SIZE = 1000;

/** Fixed-size ring of the newest messages of one channel, oldest first. */
class HistoryRing {
  readonly #slots: (HubMessage | undefined)[];
  #start = 0;
  #length = 0;

  constructor(readonly capacity: number) {
    this.#slots = new Array(capacity);
  }

  push(message: HubMessage): void {
    if (this.capacity === 0) return;
    const end = (this.#start + this.#length) % this.capacity;
    this.#slots[end] = message;
    if (this.#length < this.capacity) this.#length++;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** Messages with seq > cursor, relying on seqs being consecutive. */
  after(cursor: number): HubMessage[] {
    if (this.#length === 0) return [];
    const oldest = this.#slots[this.#start]!.seq;
    const skip = Math.max(0, cursor - oldest + 1);
    const out: HubMessage[] = [];
    for (let i = skip; i < this.#length; i++) {
      out.push(this.#slots[(this.#start + i) % this.capacity]!);
    }
    return out;
  }

  get oldestSeq(): number | undefined {
    return this.#length === 0 ? undefined : this.#slots[this.#start]!.seq;
  }
}

class Channel {
  seq = 0;
  readonly history: HistoryRing;
  readonly subscribers = new Set<Subscriber>();

  constructor(
    readonly name: string,
    historySize: number,
  ) {
    this.history = new HistoryRing(historySize);
  }
}

export class SequenceError extends Error {
  readonly code = 'RTB_ERR_SEQUENCE';
}

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export class Hub {
  readonly historySize: number;
  readonly #channels = new Map<string, Channel>();
  /** Messages accepted by this hub (published here or ingested). */
  published = 0;
  /** Individual deliveries handed to subscribers. */
  delivered = 0;

  constructor(options: HubOptions = {}) {
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    if (!Number.isInteger(this.historySize) || this.historySize < 0) {
      throw new RangeError(`historySize must be a non-negative integer, got ${options.historySize}`);
    }
  }

  /** Assigns the next seq of the channel, stores and fans the message out. */
  publish(input: PublishInput): HubMessage {
    const channel = this.#channel(input.channel);
    const message = new HubMessage({
      channel: input.channel,
      seq: channel.seq + 1,
      event: input.event,
      ts: input.ts ?? epochNow(),
      data: input.data,
    });
    this.#accept(channel, message);
    return message;
  }

  /**
   * Accepts a message that a sequencer elsewhere already numbered (the cluster
   * primary). Seqs must arrive consecutively; a replayed seq is ignored.
   */
  ingest(envelope: Envelope): HubMessage | undefined {
    const channel = this.#channel(envelope.channel);
    if (envelope.seq <= channel.seq) return undefined;
    if (envelope.seq !== channel.seq + 1 && channel.seq !== 0) {
      throw new SequenceError(`channel ${envelope.channel}: expected seq ${channel.seq + 1}, got ${envelope.seq}`);
    }
    const message = new HubMessage(envelope);
    this.#accept(channel, message);
    return message;
  }

  subscribe(channelName: string, subscriber: Subscriber): void {
    this.#channel(channelName).subscribers.add(subscriber);
  }

  unsubscribe(channelName: string, subscriber: Subscriber): void {
    const channel = this.#channels.get(channelName);
    channel?.subscribers.delete(subscriber);
  }

  /** Retained messages of the channel with seq > cursor, oldest first. */
  since(channelName: string, cursor: number): HubMessage[] {
    const channel = this.#channels.get(channelName);
    if (!channel || cursor >= channel.seq) return [];
    return channel.history.after(cursor);
  }

  /** The last seq assigned on the channel (0 before the first message). */
  head(channelName: string): number {
    return this.#channels.get(channelName)?.seq ?? 0;
  }

  subscriberCount(channelName?: string): number {
    if (channelName !== undefined) return this.#channels.get(channelName)?.subscribers.size ?? 0;
    let total = 0;
    for (const channel of this.#channels.values()) total += channel.subscribers.size;
    return total;
  }

  channelNames(): string[] {
    return [...this.#channels.keys()];
  }

  /** Every retained message of every channel, for seeding a new replica. */
  snapshot(): Envelope[] {
    const out: Envelope[] = [];
    for (const channel of this.#channels.values()) {
      for (const message of channel.history.after(0)) out.push(message.toJSON());
    }
    return out;
  }

  /** Seeds a replica: channel heads and history, without fan-out. */
  restore(envelopes: Envelope[]): void {
    for (const envelope of envelopes) {
      const channel = this.#channel(envelope.channel);
      if (envelope.seq <= channel.seq) continue;
      channel.seq = envelope.seq;
      channel.history.push(new HubMessage(envelope));
    }
  }

  #channel(name: string): Channel {
    let channel = this.#channels.get(name);
    if (!channel) {
      channel = new Channel(name, this.historySize);
      this.#channels.set(name, channel);
    }
    return channel;
  }

  #accept(channel: Channel, message: HubMessage): void {
    channel.seq = message.seq;
    channel.history.push(message);
    this.published++;
    // Deleting the current element while iterating a Set is safe, so one-shot
    // subscribers (long polls) may unsubscribe from inside deliver().
    for (const subscriber of channel.subscribers) {
      this.delivered++;
      subscriber.deliver(message);
    }
  }
}
