/**
 * Long polling, `GET /long-poll`: one request held at a time for all the
 * subscribed channels (`channel=a,b&cursor=5,7`), answered as soon as there
 * is news. A change of the channel set aborts the held request and asks
 * again. A channel subscribed "from now" first learns its head with one
 * short poll (`/poll`), whose messages are the past and are dropped.
 * Publishing is `POST /publish`.
 */
import { cursorAheadChannel, type Envelope, type Gap, type Transport, type TransportHooks, type TransportSettings } from './types.js';
import { fetchText, HttpError, timeoutSignal } from './wire.js';

interface PollBody {
  cursor: number | Record<string, number>;
  messages: Envelope[];
  gap?: { from: number; to: number } | Record<string, { from: number; to: number }>;
}

/** Extra time past the server's hold before a silent poll counts as lost. */
const HOLD_SLACK_MS = 10_000;

export class LongPollTransport implements Transport {
  readonly name = 'long-poll';
  /** Channel -> cursor; undefined until a channel subscribed "from now" knows its head. */
  readonly #cursors = new Map<string, number | undefined>();
  #closed = false;
  #held: AbortController | undefined;
  #wake: (() => void) | undefined;

  constructor(
    private readonly settings: TransportSettings,
    private readonly hooks: TransportHooks,
  ) {}

  /** Plain HTTP needs no handshake: open once the server answers, then poll. */
  async open(): Promise<void> {
    await fetchText(`${this.settings.base}/healthz`, { signal: timeoutSignal(this.settings.connectTimeoutMs) }, this.hooks.bytes);
    void this.#loop();
  }

  subscribe(channel: string, cursor: number | undefined): void {
    this.#cursors.set(channel, cursor);
    this.#changed();
  }

  unsubscribe(channel: string): void {
    if (this.#cursors.delete(channel)) this.#changed();
  }

  async publish(channel: string, event: string, data: unknown): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.settings.secret !== undefined) headers.authorization = `Bearer ${this.settings.secret}`;
    const body = JSON.stringify({ channel, event, data });
    const answer = await fetchText(`${this.settings.base}/publish`, { method: 'POST', headers, body }, this.hooks.bytes);
    return (JSON.parse(answer) as { seq: number }).seq;
  }

  close(): void {
    this.#closed = true;
    this.#changed();
  }

  /** The channel set changed: the held poll asks for the old set, so it is dropped and asked anew. */
  #changed(): void {
    this.#held?.abort();
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      if (this.#cursors.size === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const held = new AbortController();
      this.#held = held;
      try {
        const fresh = [...this.#cursors].filter(([, cursor]) => cursor === undefined).map(([channel]) => channel);
        if (fresh.length > 0) await this.#learnHeads(fresh, held.signal);
        else await this.#poll(held.signal);
      } catch (error) {
        if (this.#closed || held.signal.aborted) continue;
        if (!this.#refusedCursor(error)) {
          this.hooks.lost(`long poll failed: ${(error as Error).message}`);
          return;
        }
      }
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    const channels = [...this.#cursors.keys()];
    const query = `channel=${channels.map(encodeURIComponent).join(',')}&cursor=${channels.map((c) => this.#cursors.get(c)).join(',')}`;
    const timeout = this.settings.longPollTimeoutMs;
    const url = `${this.settings.base}/long-poll?${query}&timeout=${timeout}`;
    const body = JSON.parse(await fetchText(url, { signal: timeoutSignal(timeout + HOLD_SLACK_MS, signal) }, this.hooks.bytes));
    if (signal.aborted) return;
    this.#apply(channels, body as PollBody, false);
  }

  /** One short poll from cursor 0 gives the heads of channels subscribed "from now"; its messages are history. */
  async #learnHeads(channels: string[], signal: AbortSignal): Promise<void> {
    const url = `${this.settings.base}/poll?channel=${channels.map(encodeURIComponent).join(',')}&cursor=${channels.map(() => 0).join(',')}`;
    const body = JSON.parse(await fetchText(url, { signal: timeoutSignal(this.settings.connectTimeoutMs, signal) }, this.hooks.bytes));
    if (signal.aborted) return;
    this.#apply(channels, body as PollBody, true);
  }

  #apply(channels: string[], body: PollBody, headsOnly: boolean): void {
    const cursors = typeof body.cursor === 'number' ? { [channels[0]!]: body.cursor } : body.cursor;
    if (!headsOnly) {
      const gaps = body.gap === undefined ? {} : channels.length === 1 ? { [channels[0]!]: body.gap } : body.gap;
      for (const [channel, gap] of Object.entries(gaps) as [string, Omit<Gap, 'channel'>][]) this.hooks.gap({ channel, ...gap });
      for (const message of body.messages) this.hooks.message(message);
    }
    for (const channel of channels) {
      const cursor = cursors[channel];
      if (cursor === undefined || !this.#cursors.has(channel)) continue;
      if (headsOnly) this.hooks.subscribed(channel, cursor);
      this.#cursors.set(channel, Math.max(cursor, this.#cursors.get(channel) ?? 0));
    }
  }

  /** A cursor the server does not know (it restarted): the channel starts again from now. */
  #refusedCursor(error: unknown): boolean {
    if (!(error instanceof HttpError) || error.code !== 'RTB_ERR_CURSOR_AHEAD') return false;
    const channel = cursorAheadChannel(error.message);
    if (channel === undefined || !this.#cursors.has(channel)) return false;
    this.#cursors.set(channel, undefined);
    this.hooks.cursorAhead(channel);
    return true;
  }
}
