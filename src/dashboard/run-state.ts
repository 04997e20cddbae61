/**
 * What the dashboard knows of the run: a sample a second per transport
 * (clients open, updates/s achieved against intended, latency), the run's
 * events, and at the end its result. Bounded, so a long run cannot grow it
 * without limit; the page and /metrics both read it.
 */
import type { Progress } from '../harness/orchestrator.js';
import type { RunEvent, RunResult } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';

/** Samples kept for a page that opens late: an hour of one a second. */
export const MAX_SAMPLES = 3600;
/** Events kept (the run result keeps as many: run-events.ts). */
export const MAX_EVENTS = 500;

/** One point of the live charts. */
export interface Sample {
  /** Seconds since the dashboard started (the run's clock, across transports). */
  t: number;
  transport: string;
  phase: Progress['phase'];
  open: number;
  target: number;
  failed: number;
  /** Updates delivered in the last second. */
  achieved: number;
  /** What the schedule asks for in the steady phase; null outside it. */
  intended: number | null;
  p99Ms: number;
  p50Ms: number | null;
  p90Ms: number | null;
  bytesPerUpdate: number | null;
}

export interface ScenarioSummary {
  name: string;
  kind: string;
  transports: string[];
  clients: number;
  channels: number;
  rate: number;
  durationS: number;
}

export class RunState {
  readonly samples: Sample[] = [];
  readonly events: RunEvent[] = [];
  /** Events by kind, all of them (also those past MAX_EVENTS). */
  readonly eventCounts = new Map<string, number>();
  /** The latest sample of each transport, in the order they ran. */
  readonly latest = new Map<string, Sample>();
  result: RunResult | undefined;
  readonly scenario: ScenarioSummary;
  readonly #t0 = performance.now();
  readonly #updatesPerClient: number;

  constructor(scenario: Scenario) {
    this.scenario = {
      name: scenario.name,
      kind: scenario.kind,
      transports: [...scenario.transports],
      clients: scenario.clients,
      channels: scenario.channels,
      rate: scenario.rate,
      durationS: scenario.durationMs / 1000,
    };
    // Each client listens to one channel (channels.ts): it is owed the channel's rate.
    this.#updatesPerClient = scenario.kind === 'echo' ? scenario.echoRate : scenario.rate;
  }

  addProgress(progress: Progress): Sample {
    const ms = (us: number | undefined) => (us === undefined ? null : Math.round(us) / 1000);
    const sample: Sample = {
      t: Math.round((performance.now() - this.#t0) / 100) / 10,
      transport: progress.transport,
      phase: progress.phase,
      open: progress.open,
      target: progress.target,
      failed: progress.failed,
      achieved: progress.deliveredPerS,
      intended: progress.phase === 'steady' ? Math.round(progress.target * this.#updatesPerClient * 10) / 10 : null,
      p99Ms: ms(progress.p99Us) ?? 0,
      p50Ms: ms(progress.p50Us),
      p90Ms: ms(progress.p90Us),
      bytesPerUpdate: progress.bytesPerUpdate ?? null,
    };
    this.samples.push(sample);
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
    this.latest.set(sample.transport, sample);
    return sample;
  }

  addEvent(event: RunEvent): void {
    this.eventCounts.set(event.kind, (this.eventCounts.get(event.kind) ?? 0) + 1);
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }

  /** What a page that opens now is told first. */
  snapshot() {
    return { scenario: this.scenario, samples: this.samples, events: this.events };
  }
}
