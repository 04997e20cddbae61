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
    if (now) {
      await this.#pool.destroy();
      return;
    }
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#pool.close();
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
    const body = JSON.stringify({ channel, event: 'update', data: this.#data, ts: this.#dueAt(event) });
    this.attempted++;
    this.#inFlight++;
    this.#publish(channel, body, 0).finally(() => {
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#idle) this.#idle();
      else this.#drain();
    });
  }

  async #publish(channel: string, body: string, attempt: number): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.secret) headers.authorization = `Bearer ${this.options.secret}`;
    let failure: string;
    let retriable: boolean;
    try {
      const response = await this.#pool.request({ path: '/publish', method: 'POST', headers, body });
      const answer = (await response.body.json().catch(() => ({}))) as { seq?: number; error?: string };
      if (response.statusCode === 202 && typeof answer.seq === 'number') {
        this.accepted++;
        this.heads[channel] = Math.max(this.heads[channel] ?? 0, answer.seq);
        return;
      }
      failure = `publish answered ${response.statusCode}: ${answer.error ?? ''}`;
      // A refusal (4xx) will be refused again; a server in trouble (5xx) may not be.
      retriable = response.statusCode >= 500;
    } catch (error) {
      failure = `publish failed: ${(error as Error).message}`;
      retriable = true;
    }
    if (retriable && attempt < RETRIES && !this.#pool.destroyed) {
      this.retried++;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** attempt));
      if (!this.#pool.destroyed) return this.#publish(channel, body, attempt + 1);
    }
    this.failed++;
    this.unacknowledged[channel] = (this.unacknowledged[channel] ?? 0) + 1;
    if (!this.errors.has(failure) && this.errors.size < MAX_ERRORS) {
      this.errors.add(failure);
      this.options.onFailure?.(failure);
    }
  }
}
