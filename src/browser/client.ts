/**
 * rtbench's browser client, served by `rtbench serve` at /client.js: an ES
 * module with no framework.
 *
 *   import { RtbClient } from '/client.js';
 *   const client = new RtbClient({ transport: 'auto' });
 *   client.on('message', (envelope) => ...);
 *   client.subscribe('news');
 *   client.connect();
 *   await client.publish('news', { text: 'hi' });
 *
 * `auto` tries WebSocket (/ws), then the Engine.IO fallback (/engine.io/
 * over HTTP long-polling), then long polling (/long-poll), and keeps the
 * first that opens. A lost connection is reopened after a jittered,
 * doubling delay (250 ms up to 5 s), and every channel resumes from the last
 * seq seen, so nothing published meanwhile is missed while the server still
 * keeps it; what it no longer keeps arrives as a `gap` event. A server that
 * lost its history (a restart) refuses the old cursors: the channel then
 * starts again from now and the client emits `reset`, the signal to reload
 * the state the page shows.
 */
import { Backoff, type BackoffOptions } from './client/backoff.js';
import { Emitter } from './client/emitter.js';
import { EngineIoTransport } from './client/engine-io-transport.js';
import { LongPollTransport } from './client/long-poll-transport.js';
import type { Envelope, Gap, Transport, TransportChoice, TransportHooks, TransportName, TransportSettings } from './client/types.js';
import { WsTransport } from './client/ws-transport.js';

export type { BackoffOptions } from './client/backoff.js';
export type { Envelope, Gap, TransportChoice, TransportName } from './client/types.js';

export interface ClientOptions {
  /** The server's origin; default: the page's. */
  url?: string;
  /** `auto` (default), `ws`, `fallback` or `long-poll`. */
  transport?: TransportChoice;
  /** Publishing secret of the server, if it has one. */
  secret?: string;
  backoff?: BackoffOptions;
  /** How long a transport may take to open before `auto` moves on (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long the server holds a long poll (default 25000 ms). */
  longPollTimeoutMs?: number;
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ClientStats {
  /** Bytes received: HTTP answers whole (status line, headers, body), WebSocket frames with their headers. */
  bytesReceived: number;
  /** Updates delivered to `message` listeners (duplicates are dropped before). */
  messages: number;
  /** Connections lost after they had opened. */
  reconnects: number;
  /** Receive time minus the update's `ts` of the latest update, ms. */
  lastLatencyMs: number | undefined;
}

export interface ClientEvents extends Record<string, unknown> {
  /** A transport opened; `reconnect` after a lost connection. */
  open: { transport: TransportName; reconnect: boolean };
  state: ClientState;
  message: Envelope;
  /** Updates the server no longer keeps; the cursor has moved past them. */
  gap: Gap;
  /** The server refused the channel's cursor (it lost its history): the channel starts again from now. */
  reset: { channel: string };
  /** A transport could not be opened (auto moves on to the next). */
  error: Error;
}

/** `auto` tries these in this order. */
export const TRANSPORT_ORDER: readonly TransportName[] = ['ws', 'fallback', 'long-poll'];
/** Channels one client may subscribe to: the server's default --max-subscriptions. */
export const MAX_CHANNELS = 128;

const FACTORIES: Record<TransportName, new (settings: TransportSettings, hooks: TransportHooks) => Transport> = {
  ws: WsTransport,
  fallback: EngineIoTransport,
  'long-poll': LongPollTransport,
};

export class RtbClient extends Emitter<ClientEvents> {
  readonly stats: ClientStats = { bytesReceived: 0, messages: 0, reconnects: 0, lastLatencyMs: undefined };
  readonly #choice: TransportChoice;
  readonly #settings: TransportSettings;
  readonly #backoff: Backoff;
  /** Channel -> last seq seen; undefined: subscribed from now, head not known yet. */
  readonly #cursors = new Map<string, number | undefined>();
  #state: ClientState = 'idle';
  #transport: Transport | undefined;
  #lastWorking: TransportName | undefined;
  /** Bumped by every opening and by close(): hooks of an older transport are ignored. */
  #generation = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ClientOptions = {}) {
    super();
    this.#choice = options.transport ?? 'auto';
    if (this.#choice !== 'auto' && !(this.#choice in FACTORIES)) throw new Error(`unknown transport ${String(this.#choice)}`);
    this.#settings = {
      base: (options.url ?? globalThis.location.origin).replace(/\/+$/, ''),
      secret: options.secret,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      longPollTimeoutMs: options.longPollTimeoutMs ?? 25_000,
    };
    this.#backoff = new Backoff(options.backoff);
  }

  get state(): ClientState {
    return this.#state;
  }

  /** The transport in use, while open. */
  get transport(): TransportName | undefined {
    return this.#state === 'open' ? this.#transport?.name : undefined;
  }

  /** The last seq seen on a channel (undefined: none yet, or not subscribed). */
  cursor(channel: string): number | undefined {
    return this.#cursors.get(channel);
  }

  connect(): void {
    if (this.#state !== 'idle' && this.#state !== 'closed') return;
    void this.#open(false);
  }

  /**
   * Listens to a channel: from `cursor` (the last seq already seen) or, without
   * one, from now. On a channel already subscribed, moves its cursor.
   */
  subscribe(channel: string, options: { cursor?: number } = {}): void {
    if (!this.#cursors.has(channel) && this.#cursors.size >= MAX_CHANNELS) {
      throw new Error(`a client listens to at most ${MAX_CHANNELS} channels`);
    }
    this.#cursors.set(channel, options.cursor);
    this.#transport?.subscribe(channel, options.cursor);
  }

  unsubscribe(channel: string): void {
    if (!this.#cursors.delete(channel)) return;
    this.#transport?.unsubscribe(channel);
  }

  /** Publishes over the transport in use; resolves with the update's seq. */
  publish(channel: string, data: unknown, event = 'message'): Promise<number> {
    if (this.#state !== 'open' || !this.#transport) return Promise.reject(new Error(`not connected (${this.#state})`));
    return this.#transport.publish(channel, event, data);
  }

  /** Closes for good (connect() opens again). */
  close(): void {
    this.#generation++;
    clearTimeout(this.#retry);
    this.#transport?.close();
    this.#transport = undefined;
    this.#setState('closed');
  }

  /** Tries the transports in turn; the first that opens carries every subscription. */
  async #open(reconnect: boolean): Promise<void> {
    const generation = ++this.#generation;
    this.#setState(reconnect ? 'reconnecting' : 'connecting');
    for (const name of this.#order()) {
      const lost = { early: false };
      const transport = new FACTORIES[name](this.#settings, this.#hooks(generation, lost));
      try {
        await transport.open();
        if (lost.early) throw new Error(`${name} was lost while opening`);
      } catch (error) {
        transport.close();
        if (generation !== this.#generation) return;
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (generation !== this.#generation) {
        transport.close();
        return;
      }
      this.#transport = transport;
      this.#lastWorking = name;
      this.#backoff.reset();
      for (const [channel, cursor] of this.#cursors) transport.subscribe(channel, cursor);
      this.#setState('open');
      this.emit('open', { transport: name, reconnect });
      return;
    }
    this.#retryLater();
  }

  /** `auto`: the transport that last worked first, then the rest in TRANSPORT_ORDER. */
  #order(): TransportName[] {
    if (this.#choice !== 'auto') return [this.#choice];
    const last = this.#lastWorking;
    return last ? [last, ...TRANSPORT_ORDER.filter((name) => name !== last)] : [...TRANSPORT_ORDER];
  }

  #retryLater(): void {
    this.#setState('reconnecting');
    const generation = this.#generation;
    this.#retry = setTimeout(() => {
      if (generation === this.#generation) void this.#open(true);
    }, this.#backoff.next());
  }

  #hooks(generation: number, lost: { early: boolean }): TransportHooks {
    const current = () => generation === this.#generation;
    return {
      message: (envelope) => current() && this.#deliver(envelope),
      gap: (gap) => {
        if (!current() || !this.#cursors.has(gap.channel)) return;
        this.#cursors.set(gap.channel, Math.max(gap.to, this.#cursors.get(gap.channel) ?? 0));
        this.emit('gap', gap);
      },
      subscribed: (channel, head) => {
        if (current() && this.#cursors.has(channel) && this.#cursors.get(channel) === undefined) this.#cursors.set(channel, head);
      },
      cursorAhead: (channel) => {
        if (!current() || !this.#cursors.has(channel)) return;
        this.#cursors.set(channel, undefined);
        this.emit('reset', { channel });
      },
      lost: () => {
        if (!current()) return;
        if (this.#state !== 'open') {
          lost.early = true;
          return;
        }
        this.#transport = undefined;
        this.stats.reconnects++;
        this.#retryLater();
      },
      bytes: (count) => {
        if (current()) this.stats.bytesReceived += count;
      },
    };
  }

  /** Drops what was already seen (a resume may repeat the last update), then hands the update on. */
  #deliver(envelope: Envelope): void {
    if (!this.#cursors.has(envelope.channel)) return;
    const cursor = this.#cursors.get(envelope.channel);
    if (cursor !== undefined && envelope.seq <= cursor) return;
    this.#cursors.set(envelope.channel, envelope.seq);
    this.stats.messages++;
    this.stats.lastLatencyMs = Date.now() - envelope.ts;
    this.emit('message', envelope);
  }

  #setState(state: ClientState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
