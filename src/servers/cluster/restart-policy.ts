/**
 * When the primary replaces a worker that exited. A worker that was serving
 * (killed, crashed) is replaced at once. One that exited before it served (a
 * start failure: a port it cannot bind, a broken install) would fail again
 * in a tight loop, so its replacement waits: 100 ms after the first failure,
 * doubling to at most 10 s while failures follow each other; and after 5
 * start failures within 60 s the server gives up and exits non-zero.
 */
export interface RestartLimits {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Start failures within `windowMs` that make the server give up. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_RESTART_LIMITS: RestartLimits = {
  firstDelayMs: 100,
  maxDelayMs: 10_000,
  maxFailures: 5,
  windowMs: 60_000,
};

export type RestartDecision = { giveUp: false; delayMs: number } | { giveUp: true; reason: string };

export class RestartPolicy {
  /** Start failures since the last worker that started (sets the back-off). */
  #consecutive = 0;
  /** Times of the start failures still inside the window. */
  #failures: number[] = [];

  constructor(readonly limits: RestartLimits = DEFAULT_RESTART_LIMITS) {}

  /** A worker started serving: the back-off starts over. */
  started(): void {
    this.#consecutive = 0;
  }

  /** A worker exited; `serving` says whether it had started. `how` names the exit ("exit code 3", "SIGKILL"). */
  exited(serving: boolean, how: string, now = performance.now()): RestartDecision {
    if (serving) return { giveUp: false, delayMs: 0 };
    const { firstDelayMs, maxDelayMs, maxFailures, windowMs } = this.limits;
    this.#failures = this.#failures.filter((at) => now - at < windowMs);
    this.#failures.push(now);
    this.#consecutive++;
    if (this.#failures.length >= maxFailures) {
      return {
        giveUp: true,
        reason: `${this.#failures.length} workers failed to start within ${windowMs / 1000} s (the last: ${how})`,
      };
    }
    return { giveUp: false, delayMs: Math.min(maxDelayMs, firstDelayMs * 2 ** (this.#consecutive - 1)) };
  }
}
