/**
 * The open-model publisher (as in wrk2): update k of channel c is due at
 * t0 + (k + c / C) / rate - channels staggered evenly over each period - and
 * carries that due time as its `ts`, whether or not it could be sent then. A
 * stalled publisher or server therefore shows up in the delivery latency
 * instead of quietly lowering the load (no coordinated omission).
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
}

export class Publisher {
  readonly heads: Record<string, number> = {};
  /** Updates due so far (what the schedule asked for). */
  due = 0;
  /** Updates the server accepted. */
  accepted = 0;
  failed = 0;
  readonly errors = new Set<string>();
  #pool: Pool;
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #next = 0;
  #inFlight = 0;
  #backlog: number[] = [];
  #stopped = false;
  #idle: (() => void) | undefined;
  readonly #data: string;
  readonly #maxInFlight: number;

  constructor(private readonly options: PublisherOptions) {
    this.#pool = new Pool(options.baseUrl, { connections: 8, pipelining: 1 });
    this.#data = 'x'.repeat(options.payloadBytes);
    this.#maxInFlight = options.maxInFlight ?? 64;
  }

  /** Schedule origin, epoch ms. */
  get t0(): number {
    return this.#t0;
  }

  start(): void {
    this.#t0 = epochMs();
    this.#tick();
  }

  /** Stops scheduling; resolves when every sent update has been answered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#backlog = [];
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
    while (this.#backlog.length > 0 && this.#inFlight < this.#maxInFlight) this.#send(this.#backlog.shift()!);
  }

  #send(event: number): void {
    const channels = this.options.channels;
    const channel = channels[event % channels.length]!;
    const body = JSON.stringify({ channel, event: 'update', data: this.#data, ts: this.#dueAt(event) });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.secret) headers.authorization = `Bearer ${this.options.secret}`;
    this.#inFlight++;
    this.#pool
      .request({ path: '/publish', method: 'POST', headers, body })
      .then(async (response) => {
        const answer = (await response.body.json()) as { seq?: number; error?: string };
        if (response.statusCode === 202 && typeof answer.seq === 'number') {
          this.accepted++;
          this.heads[channel] = Math.max(this.heads[channel] ?? 0, answer.seq);
        } else {
          this.failed++;
          this.errors.add(`publish answered ${response.statusCode}: ${answer.error ?? ''}`);
        }
      })
      .catch((error: Error) => {
        this.failed++;
        this.errors.add(`publish failed: ${error.message}`);
      })
      .finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0 && this.#idle) this.#idle();
        else this.#drain();
      });
  }
}
