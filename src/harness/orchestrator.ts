/**
 * Runs a scenario: each transport in turn (a capacity scenario searches
 * client counts), and the run result around them: its events, its faults,
 * and its verdict (ok, invalid or aborted). Emits `progress` and `event`;
 * the CLI only listens. abort() cuts the run short with a partial result.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { TransportName } from '../clients/registry.js';
import {
  type CapacityResult,
  type FaultResult,
  RUN_SCHEMA_ID,
  type RunResult,
  type TimelinePoint,
  type TransportResult,
} from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { round } from '../util/round.js';
import { searchCapacity } from './capacity.js';
import { machineInfo } from './machine.js';
import { pollCeilingOnTarget } from './poll-ceiling.js';
import { RunEvents } from './run-events.js';
import { type Progress, type RunContext, type RunOptions, TransportRun } from './transport-run.js';
import { runStatus } from './verdict.js';

export type { Progress, RunOptions } from './transport-run.js';

export class Orchestrator extends EventEmitter {
  #current: TransportRun | undefined;
  #aborted = false;
  readonly #events = new RunEvents();
  readonly #faults: FaultResult[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions = {},
  ) {
    super();
    this.#events.onEvent((event) => this.emit('event', event));
  }

  async run(): Promise<RunResult> {
    const started = new Date();
    const timeline: TimelinePoint[] = [];
    const transports: Record<string, TransportResult> = {};
    const capacity: Record<string, CapacityResult> = {};
    for (const transport of this.scenario.transports) {
      if (this.#aborted) break;
      if (this.scenario.kind === 'capacity') {
        // Short polling's ceiling is a request rate: autocannon measures it first, on the same server.
        const ceiling = transport === 'short-poll' ? await this.#pollCeiling(transport) : undefined;
        const search = await this.#searchCapacity(transport, timeline);
        capacity[transport] = { ...search.capacity, ...(ceiling && { poll_ceiling: ceiling }) };
        if (search.result) transports[transport] = search.result;
      } else {
        transports[transport] = await this.runTransport(transport, this.scenario.clients, timeline);
      }
    }
    const result: RunResult = {
      schema: RUN_SCHEMA_ID,
      scenario: this.scenario.name,
      started_at: started.toISOString(),
      duration_s: round((Date.now() - started.getTime()) / 1000, 1),
      machine: machineInfo(),
      config: { ...this.scenario },
      target: this.options.target ?? 'embedded',
      transports,
      timeline,
      ...(this.scenario.kind === 'capacity' && { capacity }),
      ...(this.scenario.kind === 'faults' && { faults: this.#faults }),
      gates: [],
      events: this.#events.list,
      ...(this.#events.omitted > 0 && { events_omitted: this.#events.omitted }),
    };
    return { ...result, ...runStatus(result, this.scenario.kind, this.#aborted) };
  }

  #searchCapacity(transport: TransportName, timeline: TimelinePoint[]) {
    const s = this.scenario;
    return searchCapacity({
      steps: s.capacitySteps.length > 0 ? s.capacitySteps : [s.clients],
      sloP99Ms: s.sloP99Ms,
      cpus: os.cpus().length,
      runStep: (clients) => this.runTransport(transport, clients, timeline),
      stopped: () => this.#aborted,
    });
  }

  #pollCeiling(transport: TransportName) {
    if (this.#aborted) return Promise.resolve(undefined);
    return pollCeilingOnTarget({ scenario: this.scenario, options: this.options, events: this.#events, transport });
  }

  /** One transport at one client count; see TransportRun. */
  async runTransport(transport: TransportName, clients: number, timeline: TimelinePoint[]): Promise<TransportResult> {
    const context: RunContext = {
      scenario: this.scenario,
      options: this.options,
      timeline,
      events: this.#events,
      onProgress: (progress: Progress) => this.emit('progress', progress),
    };
    const run = new TransportRun(context, transport, clients);
    this.#current = run;
    try {
      return await run.run();
    } finally {
      this.#faults.push(...run.faultResults());
      this.#current = undefined;
    }
  }

  /**
   * Cuts the run short (Ctrl-C, SIGTERM): the transport running now stops
   * within a couple of seconds and run() resolves with what was measured,
   * marked `aborted`; no further transport starts.
   */
  abort(reason = 'stopped by a signal'): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#events.add('aborted', reason, this.#current?.transport);
    this.#current?.abort();
  }
}
