/**
 * The facts of a run that are not counters: a process that died, a line the
 * server logged, a publish the server refused, a fault injected, a signal.
 * Kept with their time so a report can say what happened when; bounded, so a
 * server that logs in a loop cannot grow the result without limit.
 */
import type { RunEvent } from '../result/schema.js';
import { round } from '../util/round.js';

export type RunEventKind =
  | 'server-exit'
  | 'server-start-failed'
  | 'server-log'
  | 'target-unreachable'
  | 'target-unhealthy'
  | 'target-recovered'
  | 'target-hosts'
  | 'poll-ceiling'
  | 'poll-ceiling-failed'
  | 'poll-ceiling-skipped'
  | 'target-down'
  | 'client-process-exit'
  | 'agent-lost'
  | 'publish-failed'
  | 'adapter-check-failed'
  | 'adapter-checked'
  | 'fault'
  | 'fault-not-injected'
  | 'recovered'
  | 'aborted';

/** Events kept per run; later ones are counted in `omitted`. */
export const MAX_RUN_EVENTS = 500;

export class RunEvents {
  readonly list: RunEvent[] = [];
  omitted = 0;
  readonly #t0: number;
  readonly #listeners: ((event: RunEvent) => void)[] = [];

  constructor(
    t0 = performance.now(),
    private readonly limit = MAX_RUN_EVENTS,
  ) {
    this.#t0 = t0;
  }

  add(kind: RunEventKind, message: string, transport?: string): void {
    const event: RunEvent = { t_s: round((performance.now() - this.#t0) / 1000, 2), kind, message, ...(transport && { transport }) };
    if (this.list.length < this.limit) this.list.push(event);
    else this.omitted++;
    for (const listener of this.#listeners) listener(event);
  }

  /** Every event as it happens, also those beyond the bound (the CLI prints them). */
  onEvent(listener: (event: RunEvent) => void): void {
    this.#listeners.push(listener);
  }
}
