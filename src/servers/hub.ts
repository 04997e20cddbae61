/**
 * The hub: channels, per-channel sequence numbers, a bounded history per
 * channel (history.ts), and fan-out to subscribers. It knows no transport: a
 * subscriber is anything with a `deliver(message)` method, and a message
 * caches each wire encoding the first time a transport asks for it, so a
 * broadcast to 100,000 subscribers serialises once per wire format, not once
 * per subscriber.
 *
 * A message's JSON is built when it is published, from data encoded and
 * checked before it got a seq (encode.ts): nothing the hub accepted can fail
 * to encode later. Channels cost memory only while they are used: one that
 * never had a message is deleted with its last subscriber, and one that had
 * messages keeps just its head seq (so seqs never start over) once its
 * history is gone.
 */
import { epochMs } from '../metrics/clock.js';
import { encodeData } from './encode.js';
import { ChannelHistory, DEFAULT_HISTORY_LIMITS, type HistoryLimits, type HistoryLink, HistoryStore } from './history.js';

/** The envelope every transport delivers (docs/architecture.md describes it). */
export interface Envelope {
  channel: string;
  seq: number;
  event: string;
  ts: number;
  data: unknown;
}

export class HubMessage implements Envelope {
  /** The envelope as JSON text, built once, when the message was made. */
  readonly json: string;
  /** Where `data` starts in `json` (it runs to the closing brace). */
  readonly #dataAt: number;
  #encodings: Map<string, unknown> | undefined;
  /** Set while the message is in a channel's history (history.ts). */
  historyLink: HistoryLink | undefined;

  /** `dataJson` is `data` already encoded by encodeData(). */
  constructor(
    readonly channel: string,
    readonly seq: number,
    readonly event: string,
    readonly ts: number,
    dataJson: string,
  ) {
    const head = `{"channel":${JSON.stringify(channel)},"seq":${seq},"event":${JSON.stringify(event)},"ts":${JSON.stringify(ts)},"data":`;
    this.#dataAt = head.length;
    this.json = `${head}${dataJson}}`;
  }

  /** An envelope numbered elsewhere (the cluster primary), its data encoded in the guard. */
  static fromEnvelope(envelope: Envelope): HubMessage {
    return new HubMessage(envelope.channel, envelope.seq, envelope.event, envelope.ts, encodeData(envelope.data));
  }

  /** `data` as JSON text. */
  get dataJson(): string {
    return this.json.slice(this.#dataAt, -1);
  }

  /** `data`, parsed again from the JSON on each read: the hub keeps only the text. */
  get data(): unknown {
    return JSON.parse(this.dataJson);
  }

  /**
   * A transport-specific encoding, built by `encode` on first use and shared
   * by every later subscriber of the same format. While the message is in
   * the history, its bytes count towards the history's budget.
   */
  encoded<T>(format: string, encode: (message: HubMessage) => T): T {
    this.#encodings ??= new Map();
    let value = this.#encodings.get(format) as T | undefined;
    if (value === undefined) {
      value = encode(this);
      this.#encodings.set(format, value);
      const link = this.historyLink;
      if (link) link.store.grew(link, byteSizeOf(value));
    }
    return value;
  }

  toJSON(): Envelope {
    return { channel: this.channel, seq: this.seq, event: this.event, ts: this.ts, data: this.data };
  }
}

/** Bytes an encoding holds: a string or buffer's length, or what an object says of itself (`byteSize`). */
function byteSizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  const size = (value as { byteSize?: unknown } | null)?.byteSize;
  return typeof size === 'number' ? size : 64;
}

export interface Subscriber {
  deliver(message: HubMessage): void;
}

export interface PublishInput {
  channel: string;
  event: string;
  /** The payload; ignored when `dataJson` is given. */
  data?: unknown;
  /** The payload already encoded by encodeData() (parsePublish does it once for every channel of a publish). */
  dataJson?: string;
  /** Publisher's timestamp (epoch ms); the hub stamps "now" when absent. */
  ts?: number;
}

/** The history bounds (history.ts); they are named as ServerConfig names them, so a config can be passed whole. */
export type HubOptions = Partial<HistoryLimits>;

export const DEFAULT_HISTORY_SIZE = DEFAULT_HISTORY_LIMITS.historySize;

/** Messages missing between a cursor and the oldest message still kept: `from`..`to`, inclusive. */
export interface Gap {
  from: number;
  to: number;
}

class Channel extends ChannelHistory {
  seq = 0;
  /** Made for the first subscriber, dropped with the last. */
  subscribers: Set<Subscriber> | undefined;

  constructor(readonly name: string) {
    super();
  }
}

export class SequenceError extends Error {
  readonly code = 'RTB_ERR_SEQUENCE';
}

export class Hub {
  readonly historySize: number;
  readonly #channels = new Map<string, Channel>();
  readonly #history: HistoryStore;
  /** Messages accepted by this hub (published here or ingested). */
  published = 0;
  /** Individual deliveries handed to subscribers. */
  delivered = 0;

  constructor(options: HubOptions = {}) {
    const limits: HistoryLimits = { ...DEFAULT_HISTORY_LIMITS };
    for (const key of Object.keys(limits) as (keyof HistoryLimits)[]) {
      const value = options[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
      limits[key] = value;
    }
    this.historySize = limits.historySize;
    this.#history = new HistoryStore(limits);
  }

  /** Assigns the next seq of the channel, stores and fans the message out. */
  publish(input: PublishInput): HubMessage {
    // Encoded before the channel is touched: a refused message leaves nothing behind.
    const dataJson = input.dataJson ?? encodeData(input.data);
    const channel = this.#channel(input.channel);
    const message = new HubMessage(input.channel, channel.seq + 1, input.event, input.ts ?? epochMs(), dataJson);
    this.#accept(channel, message);
    return message;
  }

  /**
   * Accepts a message that a sequencer elsewhere already numbered (the cluster
   * primary). Seqs must arrive consecutively; a replayed seq is ignored.
   */
  ingest(envelope: Envelope): HubMessage | undefined {
    const current = this.#channels.get(envelope.channel)?.seq ?? 0;
    if (envelope.seq <= current) return undefined;
    if (envelope.seq !== current + 1 && current !== 0) {
      throw new SequenceError(`channel ${envelope.channel}: expected seq ${current + 1}, got ${envelope.seq}`);
    }
    const message = HubMessage.fromEnvelope(envelope);
    this.#accept(this.#channel(envelope.channel), message);
    return message;
  }

  subscribe(channelName: string, subscriber: Subscriber): void {
    const channel = this.#channel(channelName);
    channel.subscribers ??= new Set();
    channel.subscribers.add(subscriber);
  }

  unsubscribe(channelName: string, subscriber: Subscriber): void {
    const channel = this.#channels.get(channelName);
    if (!channel?.subscribers?.delete(subscriber) || channel.subscribers.size > 0) return;
    channel.subscribers = undefined;
    // Never published to: nothing to keep. (A channel with messages keeps its head seq.)
    if (channel.seq === 0) this.#channels.delete(channelName);
  }

  /** Retained messages of the channel with seq > cursor, oldest first. */
  since(channelName: string, cursor: number): HubMessage[] {
    this.#history.expire();
    const channel = this.#channels.get(channelName);
    if (!channel || cursor >= channel.seq) return [];
    return channel.historyAfter(cursor);
  }

  /**
   * The messages a client resuming from `cursor` can no longer get: those
   * after the cursor and older than the oldest message kept. Undefined when
   * nothing is missing.
   */
  gapAfter(channelName: string, cursor: number): Gap | undefined {
    this.#history.expire();
    const channel = this.#channels.get(channelName);
    if (!channel || cursor >= channel.seq) return undefined;
    const oldest = channel.oldestSeq ?? channel.seq + 1;
    return cursor + 1 < oldest ? { from: cursor + 1, to: oldest - 1 } : undefined;
  }

  /**
   * Raises the channel's head without a message: seqs up to `seq` were given
   * elsewhere and are not here (a backplane's heads, redis/). What the
   * channel kept is dropped, since its history must stay consecutive up to
   * the head; a client resuming from before `seq` is told of the gap.
   */
  skipTo(channelName: string, seq: number): void {
    const channel = this.#channel(channelName);
    if (seq <= channel.seq) return;
    this.#history.drop(channel);
    channel.seq = seq;
  }

  /** The last seq assigned on the channel (0 before the first message). */
  head(channelName: string): number {
    return this.#channels.get(channelName)?.seq ?? 0;
  }

  subscriberCount(channelName?: string): number {
    if (channelName !== undefined) return this.#channels.get(channelName)?.subscribers?.size ?? 0;
    let total = 0;
    for (const channel of this.#channels.values()) total += channel.subscribers?.size ?? 0;
    return total;
  }

  channelNames(): string[] {
    return [...this.#channels.keys()];
  }

  get channelCount(): number {
    return this.#channels.size;
  }

  /** Bytes the history of every channel holds (history.ts counts them). */
  get historyBytes(): number {
    return this.#history.totalBytes;
  }

  /** Every retained message of every channel, for seeding a new replica. */
  snapshot(): Envelope[] {
    this.#history.expire();
    const out: Envelope[] = [];
    for (const channel of this.#channels.values()) {
      for (const message of channel.historyAfter(0)) out.push(message.toJSON());
    }
    return out;
  }

  /** Seeds a replica: channel heads and history, without fan-out. */
  restore(envelopes: Envelope[]): void {
    for (const envelope of envelopes) {
      const channel = this.#channel(envelope.channel);
      if (envelope.seq <= channel.seq) continue;
      channel.seq = envelope.seq;
      this.#history.retain(channel, HubMessage.fromEnvelope(envelope));
    }
  }

  /** Stops the history's expiry timer. */
  close(): void {
    this.#history.close();
  }

  #channel(name: string): Channel {
    let channel = this.#channels.get(name);
    if (!channel) {
      channel = new Channel(name);
      this.#channels.set(name, channel);
    }
    return channel;
  }

  #accept(channel: Channel, message: HubMessage): void {
    channel.seq = message.seq;
    this.#history.retain(channel, message);
    this.published++;
    if (!channel.subscribers) return;
    // Deleting the current element while iterating a Set is safe, so one-shot
    // subscribers (long polls) may unsubscribe from inside deliver().
    for (const subscriber of channel.subscribers) {
      this.delivered++;
      subscriber.deliver(message);
    }
  }
}
