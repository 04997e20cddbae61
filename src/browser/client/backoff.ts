/**
 * Reconnect delays: exponential backoff with full jitter (a random delay
 * between 0 and min(max, initial x 2^attempt)), as the load clients use, so
 * the windows of a restarted server do not all come back in the same
 * millisecond.
 */
export interface BackoffOptions {
  /** First ceiling, ms (default 250). */
  initialMs?: number;
  /** Largest ceiling, ms (default 5000). */
  maxMs?: number;
}

export class Backoff {
  #attempt = 0;
  readonly #initialMs: number;
  readonly #maxMs: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.#initialMs = options.initialMs ?? 250;
    this.#maxMs = options.maxMs ?? 5000;
  }

  /** The next delay; each call doubles the ceiling up to the maximum. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(this.random() * ceiling);
  }

  /** A connection held: the next outage starts from the first ceiling again. */
  reset(): void {
    this.#attempt = 0;
  }
}
