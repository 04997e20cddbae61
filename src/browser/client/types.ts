/**
 * What the browser client's parts share: the server's message envelope, the
 * gap signal, and the interface each transport implements for client.ts.
 */

/** Every transport delivers this envelope (README, Endpoints). */
export interface Envelope {
  channel: string;
  /** Per channel, from 1, growing by exactly 1. */
  seq: number;
  event: string;
  /** The publisher's timestamp, epoch milliseconds. */
  ts: number;
  data: unknown;
}

/** Messages `from`..`to` of `channel` are gone from the server's history; the cursor moves past them. */
export interface Gap {
  channel: string;
  from: number;
  to: number;
}

/** The transports a browser can use, in the order `auto` tries them. */
export type TransportName = 'ws' | 'fallback' | 'long-poll';
export type TransportChoice = TransportName | 'auto';

/** What a transport reports to the client that owns it. */
export interface TransportHooks {
  message(envelope: Envelope): void;
  gap(gap: Gap): void;
  /** The server acknowledged a subscription; `head` is the channel's last seq. */
  subscribed(channel: string, head: number): void;
  /**
   * The server refused a cursor ahead of its head: it has lost its history
   * (a restart), so the seqs the client holds mean nothing there any more.
   */
  cursorAhead(channel: string): void;
  /** The connection is gone after it had opened. */
  lost(reason: string): void;
  /** Bytes received on the wire (HTTP: the browser's transferSize; WebSocket: frames). */
  bytes(count: number): void;
}

export interface TransportSettings {
  /** The server's origin, e.g. `http://127.0.0.1:8080`. */
  base: string;
  /** Sent as `Authorization: Bearer` on POST /publish and as `token` in publish ops. */
  secret?: string;
  /** How long an opening may take before it counts as failed. */
  connectTimeoutMs: number;
  /** How long the server holds a long poll. */
  longPollTimeoutMs: number;
}

/** One connection to the server over one transport. client.ts re-creates it on every reconnect. */
export interface Transport {
  readonly name: TransportName;
  /** Resolves once the transport can carry subscriptions; rejects if it cannot be opened. */
  open(): Promise<void>;
  /** `cursor` undefined: from now on. Subscribing again moves the cursor. */
  subscribe(channel: string, cursor: number | undefined): void;
  unsubscribe(channel: string): void;
  /** Resolves with the seq the server gave the update. */
  publish(channel: string, event: string, data: unknown): Promise<number>;
  /** Closes for good; no hook is called afterwards. */
  close(): void;
}

/** Is a parsed JSON value an envelope (and not a control reply)? */
export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields.channel === 'string' && typeof fields.seq === 'number' && !('op' in fields);
}

/** The channel named in a cursor-ahead refusal ("cursor 7 is ahead of channel C, whose last seq is 0"). */
export function cursorAheadChannel(message: string): string | undefined {
  return /is ahead of channel (\S+?),/.exec(message)?.[1];
}
