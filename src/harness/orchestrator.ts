/**
 * Runs a scenario: each transport in turn (a capacity scenario searches
 * client counts), and the run result around them. Emits `progress` events;
 * the CLI only listens. abort() stops whatever is running.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { TransportName } from '../clients/registry.js';
import { RUN_SCHEMA_ID, type CapacityResult, type RunResult, type TimelinePoint, type TransportResult } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { round } from '../util/round.js';
import { searchCapacity } from './capacity.js';
import { machineInfo } from './machine.js';
import { TransportRun, type Progress, type RunOptions } from './transport-run.js';

export type { Progress, RunOptions } from './transport-run.js';

export class Orchestrator extends EventEmitter {
  #current: TransportRun | undefined;
  #aborted = false;

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions = {},
  ) {
    super();
  }

  async run(): Promise<RunResult> {
    const started = new Date();
    const timeline: TimelinePoint[] = [];
    const transports: Record<string, TransportResult> = {};
    const capacity: Record<string, CapacityResult> = {};
    for (const transport of this.scenario.transports) {
      if (this.#aborted) break;
      if (this.scenario.kind === 'capacity') {
        const search = await this.#searchCapacity(transport, timeline);
        capacity[transport] = search.capacity;
        if (search.result) transports[transport] = search.result;
      } else {
        transports[transport] = await this.runTransport(transport, this.scenario.clients, timeline);
      }
    }
    return {
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
      gates: [],
    };
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

  /** One transport at one client count; see TransportRun. */
  async runTransport(transport: TransportName, clients: number, timeline: TimelinePoint[]): Promise<TransportResult> {
    const run = new TransportRun(this.scenario, transport, clients, this.options, timeline, (progress: Progress) =>
      this.emit('progress', progress),
    );
    this.#current = run;
    try {
      return await run.run();
    } finally {
      this.#current = undefined;
    }
  }

  /** Stops every process this run started; safe to call at any time. */
  async abort(): Promise<void> {
    this.#aborted = true;
    await this.#current?.stop();
  }
}
