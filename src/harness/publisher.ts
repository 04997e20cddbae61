/**
 * The open-model publisher (as in wrk2): update k of channel c is due at
 * t0 + (k + c / C) / rate - channels staggered evenly over each period - and
 * carries that due time as its `ts`, whether or not it could be sent then. A
 * stalled publisher or server therefore shows up in the delivery latency
 * instead of quietly lowering the load (no coordinated omission).
 *
 * A publish the server did not acknowledge (a reset connection, a timeout, a
 * 5xx) is retried a few times, as any at-least-once publisher would; one that
 * never gets a seq counts as failed, per channel, so the harness can count it
 * as lost for every subscriber that was owed it.
 */
import { Pool } from 'undici';
import { markedData } from '../adapter/marker.js';
import type { PublishOutcome, UpdateSender } from '../adapter/publish.js';
import { epochMs } from '../metrics/clock.js';

export interface PublisherOptions {
  baseUrl: string;
  channels: string[];
  /** Updates per second per channel. */
  rate: number;
  payloadBytes: number;
  secret?: string;
  /** Requests in flight at most; beyond it updates wait (and their latency grows). */
  maxInFlight?: number;
  /** The first failure of each kind (for the run's events). */
  onFailure?: (message: string) => void;
  /**
   * Publish through an adapter instead of POST /publish: each update's data is a marker (run id, the
   * publisher's own counter per channel, the scheduled time) padded to payloadBytes, and that counter
   * is the head the subscribers are owed.
   */
  adapter?: { sender: UpdateSender; run: string };
}

/** Retries of an unacknowledged publish, and the first delay (doubling). */
const RETRIES = 3;
const RETRY_DELAY_MS = 100;
/** A publish not answered by then is retried (a stopped or hung server). */
const REQUEST_TIMEOUT_MS = 5000;
/** Distinct error messages kept; a failing server would otherwise make one per request. */
const MAX_ERRORS = 20;

export class Publisher {
  /** The highest seq the server acknowledged, per channel. */
  readonly heads: Record<string, number> = {};
  /** Publishes given up on, per channel: owed to every subscriber of that channel, never acknowledged. */
  readonly unacknowledged: Record<string, number> = {};
  /** Updates due so far (what the schedule asked for). */
  due = 0;
  attempted = 0;
  /** Updates the server accepted. */
  accepted = 0;
  failed = 0;
  retried = 0;
  readonly errors = new Set<string>();
  #pool: Pool;
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #next = 0;
  #inFlight = 0;
  #backlog: number[] = [];
  #stopped = false;
  #pausedUntil = 0;
  #idle: (() => void) | undefined;
  readonly #data: string;
  readonly #maxInFlight: number;

  constructor(private readonly options: PublisherOptions) {
    this.#pool = new Pool(options.baseUrl, {
      connections: 8,
      pipelining: 1,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    this.#data = 'x'.repeat(options.payloadBytes);
    this.#maxInFlight = options.maxInFlight ?? 64;
  }

  /** Schedule origin, epoch ms. */
  get t0(): number {
    return this.#t0;
  }

  start(): void {
    // From the next whole millisecond: t0 + k/rate as a double then prints
    // with the same digits whatever the millisecond, so every ts of a
    // scenario is as long in every run and its wire bytes are the same.
    this.#t0 = Math.ceil(epochMs());
    this.#tick();
  }

  /**
   * Sends nothing for `ms` (a fault of the `faults` scenario). The schedule
   * goes on: what falls due meanwhile is sent after, with its due time as
   * `ts`, so the pause shows in the latency.
   */
  pause(ms: number): void {
    this.#pausedUntil = performance.now() + ms;
    setTimeout(() => this.#drain(), ms).unref();
  }

  /**
   * Stops scheduling; resolves when every sent update has been answered
   * (or retried and given up on). `now`: give up on what is in flight (an
   * aborted run).
   */
  async stop(now = false): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#backlog = [];
    const sender = this.options.adapter?.sender;
    if (now) {
      await Promise.all([this.#pool.destroy(), sender?.close(true)]);
      return;
    }
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await Promise.all([this.#pool.close(), sender?.close(false)]);
  }

  #dueAt(event: number): number {
    return this.#t0 + (event * 1000) / (this.options.channels.length * this.options.rate);
  }

  #tick(): void {
    if (this.#stopped) return;
    const now = epochMs();
    while (this.#dueAt(this.#next) <= now) {
      this.#backlog.push(this.#next++);
      this.due++;
    }
    this.#drain();
    const wait = Math.max(0, this.#dueAt(this.#next) - epochMs());
    this.#timer = setTimeout(() => this.#tick(), wait);
  }

  #drain(): void {
    if (performance.now() < this.#pausedUntil) return;
    while (this.#backlog.length > 0 && this.#inFlight < this.#maxInFlight) this.#send(this.#backlog.shift()!);
  }

  #send(event: number): void {
    const channels = this.options.channels;
    const channel = channels[event % channels.length]!;
    const attempt = this.#attemptFor(event, channel);
    this.attempted++;
    this.#inFlight++;
    this.#publish(channel, attempt, 0).finally(() => {
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#idle) this.#idle();
      else this.#drain();
    });
  }

  /** One try at publishing update `event`: POST /publish, or the adapter's way with a marker in the data. */
  #attemptFor(event: number, channel: string): () => Promise<PublishOutcome & { seq?: number }> {
    const ts = this.#dueAt(event);
    const adapter = this.options.adapter;
    if (adapter) {
      const seq = Math.floor(event / this.options.channels.length) + 1;
      const data = markedData(adapter.run, channel, seq, ts, this.options.payloadBytes);
      return async () => ({ ...(await adapter.sender.send(channel, data)), seq });
    }
    const body = JSON.stringify({ channel, event: 'update', data: this.#data, ts });
    return () => this.#post(body);
  }

  async #post(body: string): Promise<PublishOutcome & { seq?: number }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.secret) headers.authorization = `Bearer ${this.options.secret}`;
    try {
      const response = await this.#pool.request({ path: '/publish', method: 'POST', headers, body });
      const answer = (await response.body.json().catch(() => ({}))) as { seq?: number; error?: string };
      if (response.statusCode === 202 && typeof answer.seq === 'number') return { ok: true, seq: answer.seq };
      // A refusal (4xx) will be refused again; a server in trouble (5xx) may not be.
      return {
        ok: false,
        failure: `publish answered ${response.statusCode}: ${answer.error ?? ''}`,
        retriable: response.statusCode >= 500,
      };
    } catch (error) {
      return { ok: false, failure: `publish failed: ${(error as Error).message}`, retriable: true };
    }
  }

  get #destroyed(): boolean {
    return this.#pool.destroyed || this.options.adapter?.sender.destroyed === true;
  }

  async #publish(channel: string, tryOnce: () => Promise<PublishOutcome & { seq?: number }>, attempt: number): Promise<void> {
    const outcome = await tryOnce();
    if (outcome.ok && outcome.seq !== undefined) {
      this.accepted++;
      this.heads[channel] = Math.max(this.heads[channel] ?? 0, outcome.seq);
      return;
    }
    const { failure, retriable } = outcome.ok ? { failure: 'publish answered without a seq', retriable: false } : outcome;
    if (retriable && attempt < RETRIES && !this.#destroyed) {
      this.retried++;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** attempt));
      if (!this.#destroyed) return this.#publish(channel, tryOnce, attempt + 1);
    }
    this.failed++;
    this.unacknowledged[channel] = (this.unacknowledged[channel] ?? 0) + 1;
    if (!this.errors.has(failure) && this.errors.size < MAX_ERRORS) {
      this.errors.add(failure);
      this.options.onFailure?.(failure);
    }
  }
}
