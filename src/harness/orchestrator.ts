/**
 * Runs a scenario: for each transport, a fresh server (or the --target), a
 * fleet of client processes ramped to the planned count, a steady phase under
 * the open-model publisher, a drain, and a teardown that stops everything it
 * started - also on error or Ctrl-C (abort()). Emits `progress` events; the
 * CLI only listens.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import { mergeEncoded, summarize } from '../metrics/latency.js';
import type { Scenario } from '../scenarios/schema.js';
import type { FleetCounters, FleetFinal, FleetPlan, FromFleet, ToFleet } from './fleet-protocol.js';
import { ProcessTreeSampler, type CpuTimes } from './process-stats.js';
import { Publisher } from './publisher.js';
import { RUN_SCHEMA, type CapacityResult, type CapacityStep, type RunResult, type TimelinePoint, type TransportResult } from './run-result.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const FLEET_ENTRY = fileURLToPath(new URL('./fleet-main.js', import.meta.url));

export interface RunOptions {
  /** A server someone else runs (http://host:port); otherwise one is started per transport. */
  target?: string;
  secret?: string;
  /** With a target: its process, sampled for CPU and memory like the embedded server. */
  targetPid?: number;
  /** Called when every client is connected, before the first update (idle-memory probes). */
  onRamped?: (transport: TransportName) => Promise<void>;
}

export interface Progress {
  transport: string;
  phase: 'server' | 'ramp' | 'steady' | 'drain' | 'teardown';
  elapsedS: number;
  open: number;
  target: number;
  failed: number;
  deliveredPerS: number;
  p99Us: number;
}

class FleetProcess {
  readonly child: ChildProcess;
  counters: FleetCounters | undefined;
  p99 = 0;
  #waiters = new Map<string, (message: FromFleet) => void>();
  error: string | undefined;

  constructor() {
    // Each fleet needs a few hundred MB of heap at 15,000 connections.
    // A small young generation: at 15,000 connections per process the default
    // semi-spaces cost more memory than the connections themselves.
    this.child = fork(FLEET_ENTRY, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=2048', '--max-semi-space-size=2'],
    });
    this.child.on('message', (message: FromFleet) => {
      if (message.type === 'tick') {
        this.counters = message.counters;
        this.p99 = message.p99;
      }
      if (message.type === 'error') this.error = message.message;
      const key = message.type === 'mark' ? `mark:${message.id}` : message.type;
      const waiter = this.#waiters.get(key) ?? (message.type === 'error' ? [...this.#waiters.values()][0] : undefined);
      if (waiter) {
        this.#waiters.delete(key);
        waiter(message);
      }
    });
  }

  send(message: ToFleet): void {
    if (this.child.connected) this.child.send(message);
  }

  next(key: string, timeoutMs: number): Promise<FromFleet> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client process ${this.child.pid}: no ${key} within ${timeoutMs} ms`)), timeoutMs);
      const exit = (code: number | null, signal: string | null) =>
        reject(new Error(`client process ${this.child.pid} exited (${signal ?? code}) before ${key}${this.error ? `: ${this.error}` : ''}`));
      // 'close' comes after the IPC channel is drained; 'exit' can overtake
      // the last messages.
      this.child.once('close', exit);
      this.#waiters.set(key, (message) => {
        clearTimeout(timer);
        this.child.off('close', exit);
        if (message.type === 'error') reject(new Error(`client process ${this.child.pid}: ${message.message}`));
        else resolve(message);
      });
    });
  }

  /**
   * Waits for the ramp; past the deadline the fleet is told to stop opening
   * and report, so a saturated server yields a result (with clients still
   * connecting) instead of an error.
   */
  async rampedBy(deadlineMs: number): Promise<FromFleet> {
    const timer = setTimeout(() => this.send({ type: 'end-ramp' }), deadlineMs);
    try {
      return await this.next('ramped', deadlineMs + 60_000);
    } finally {
      clearTimeout(timer);
    }
  }

  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return once(this.child, 'exit').then(() => {});
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

export class Orchestrator extends EventEmitter {
  #fleets: FleetProcess[] = [];
  #server: ServerProcess | undefined;
  #publisher: Publisher | undefined;
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
        transports[transport] = search.result;
      } else {
        transports[transport] = await this.runTransport(transport, this.scenario.clients, timeline);
      }
    }
    return {
      schema: RUN_SCHEMA,
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

  /**
   * Capacity: runs the transport at each step's client count until a step
   * misses the SLO (p99 over the limit, a failed connection, a lost update,
   * or a saturated schedule). The answer is the largest passing step.
   */
  async #searchCapacity(
    transport: TransportName,
    timeline: TimelinePoint[],
  ): Promise<{ capacity: CapacityResult; result: TransportResult }> {
    const s = this.scenario;
    const steps: CapacityStep[] = [];
    let best: TransportResult | undefined;
    let last: TransportResult | undefined;
    for (const clients of s.capacitySteps.length > 0 ? s.capacitySteps : [s.clients]) {
      if (this.#aborted) break;
      const result = await this.runTransport(transport, clients, timeline);
      last = result;
      const p99Ms = result.latency_us.p99 / 1000;
      const reasons: string[] = [];
      if (result.clients.failed > 0) reasons.push(`${result.clients.failed} connections failed`);
      if (result.updates.lost > 0) reasons.push(`${result.updates.lost} updates lost`);
      if (p99Ms > s.sloP99Ms) reasons.push(`p99 ${p99Ms} ms over ${s.sloP99Ms} ms`);
      if (result.rate.saturated) reasons.push('schedule not kept (saturated)');
      steps.push({
        clients,
        open: result.clients.open,
        failed: result.clients.failed,
        lost: result.updates.lost,
        p99_ms: p99Ms,
        achieved: result.rate.achieved,
        intended: result.rate.intended,
        pass: reasons.length === 0,
        ...(reasons.length > 0 && { reason: reasons.join('; ') }),
      });
      if (reasons.length > 0) break;
      best = result;
    }
    const maxClients = [...steps].reverse().find((step) => step.pass)?.clients ?? 0;
    return {
      capacity: {
        slo_p99_ms: s.sloP99Ms,
        max_clients: maxClients,
        clients_per_core: Math.round(maxClients / os.cpus().length),
        steps,
      },
      result: (best ?? last)!,
    };
  }

  /** Stops every process this run started; safe to call at any time. */
  async abort(): Promise<void> {
    this.#aborted = true;
    await this.#publisher?.stop().catch(() => {});
    await Promise.all(this.#fleets.map((fleet) => fleet.kill()));
    await this.#server?.stop();
  }

  async runTransport(transport: TransportName, clients: number, timeline: TimelinePoint[]): Promise<TransportResult> {
    const s = this.scenario;
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const progress = (phase: Progress['phase']) => this.#progress(transport, phase, elapsed(), clients);
    progress('server');

    let baseUrl: string;
    let hosts: string[];
    let sampler: ProcessTreeSampler | undefined;
    if (this.options.target) {
      const url = new URL(this.options.target);
      baseUrl = url.origin;
      hosts = [url.hostname];
      if (this.options.targetPid) {
        sampler = new ProcessTreeSampler(this.options.targetPid);
        sampler.start();
      }
    } else {
      this.#server = await startServerProcess([
        '--host', '0.0.0.0',
        '--workers', String(s.serverWorkers),
        '--long-poll-timeout', String(s.longPollTimeoutMs),
        '--history', String(Math.max(1000, Math.ceil(s.rate * 60))),
        ...(s.kind === 'echo' ? ['--echo'] : []),
      ]);
      baseUrl = `http://127.0.0.1:${this.#server.port}`;
      hosts = Array.from({ length: s.loopbackAddresses }, (_, i) => `127.0.0.${i + 1}`);
      sampler = new ProcessTreeSampler(this.#server.pid);
      sampler.start();
    }
    const port = Number(new URL(baseUrl).port || 80);
    const targets: ClientTarget[] = hosts.map((host) => ({ host, port }));
    const channels = Array.from({ length: s.channels }, (_, i) => `ch${i}`);

    try {
      // Ramp: spread the clients over processes of at most clientsPerProcess.
      const processCount = Math.ceil(clients / s.clientsPerProcess);
      this.#fleets = Array.from({ length: processCount }, () => new FleetProcess());
      let firstIndex = 0;
      const ramped = this.#fleets.map((fleet, i) => {
        const count = Math.floor(clients / processCount) + (i < clients % processCount ? 1 : 0);
        const plan: FleetPlan = {
          transport,
          firstIndex,
          count,
          channels,
          targets,
          rampPerSec: Math.max(1, s.rampPerSec / processCount),
          rampConcurrency: Math.max(1, Math.ceil(s.rampConcurrency / processCount)),
          settings: {
            headers: s.headers,
            conditional: s.conditional,
            pollIntervalMs: s.pollIntervalMs,
            longPollTimeoutMs: s.longPollTimeoutMs,
            pollingOnly: false,
            reconnect: true,
            echoRate: s.kind === 'echo' ? s.echoRate : 0,
          },
        };
        firstIndex += count;
        fleet.send({ type: 'start', plan });
        return fleet.rampedBy((count / plan.rampPerSec) * 1000 * 3 + 60_000);
      });
      const rampTicker = setInterval(() => progress('ramp'), 1000);
      try {
        await Promise.all(ramped);
      } finally {
        clearInterval(rampTicker);
      }
      const rampS = elapsed();
      // Let the last subscriptions reach the server before the first update
      // is due (echo: until every client has started its round trips).
      await sleep(s.kind === 'echo' ? Math.max(500, 1000 / s.echoRate + 100) : 500);
      await this.options.onRamped?.(transport);

      const before = await this.#mark(1);
      const serverCpuBefore = sampler?.cpu();
      const echo = s.kind === 'echo';
      // In the echo scenario the clients are their own source; nothing is published.
      const publisher = echo
        ? new EchoSource(() => this.#fleets.forEach((fleet) => fleet.send({ type: 'quiesce' })))
        : new Publisher({ baseUrl, channels, rate: s.rate, payloadBytes: s.payloadBytes, secret: this.options.secret });
      if (publisher instanceof Publisher) this.#publisher = publisher;
      const steadyStart = performance.now();
      let phase: Progress['phase'] = 'steady';
      publisher.start();
      let lastDelivered = before.delivered;
      const ticker = setInterval(() => {
        const now = this.#sum();
        const deliveredPerS = now.delivered - lastDelivered;
        lastDelivered = now.delivered;
        timeline.push({ t_s: round(elapsed(), 1), transport, open: now.open, delivered_per_s: deliveredPerS });
        this.#progress(transport, phase, elapsed(), clients, deliveredPerS);
      }, 1000);
      await sleep(s.durationMs);
      await publisher.stop();
      const steadyS = (performance.now() - steadyStart) / 1000;
      phase = 'drain';
      progress('drain');
      const drainStart = performance.now();
      const owed = echo ? (await this.#mark(3)).echoSent : expectedDeliveries(publisher.heads, channels, clients);
      await this.#drain(owed, s.drainMs);
      const drainS = (performance.now() - drainStart) / 1000;
      clearInterval(ticker);
      const after = await this.#mark(2);
      const serverCpuAfter = sampler?.cpu();

      progress('teardown');
      const teardownStart = performance.now();
      const server = sampler?.stop();
      const finals = await Promise.all(
        this.#fleets.map(async (fleet) => {
          fleet.send({ type: 'finish', heads: publisher.heads });
          const message = await fleet.next('final', 60_000);
          return (message as Extract<FromFleet, { type: 'final' }>).result;
        }),
      );
      await Promise.all(this.#fleets.map((fleet) => fleet.exited()));
      await this.#server?.stop();
      this.#server = undefined;
      const teardownS = (performance.now() - teardownStart) / 1000;

      return buildTransportResult({
        scenario: s,
        clients,
        finals,
        before,
        after,
        publisher,
        steadyS,
        phases: { ramp: rampS, steady: steadyS, drain: drainS, teardown: teardownS },
        server: {
          total: server?.cpu ?? { userS: 0, systemS: 0 },
          steady: cpuDelta(serverCpuBefore, serverCpuAfter),
          rssPeakMb: server?.rssPeakMb ?? 0,
          workers: server ? s.serverWorkers : 0,
        },
        transport,
        latencyMethod: echo ? 'echo-rtt' : 'publish-ts',
      });
    } finally {
      await Promise.all(this.#fleets.map((fleet) => fleet.kill()));
      this.#fleets = [];
      sampler?.stop();
      await this.#server?.stop();
      this.#server = undefined;
      this.#publisher = undefined;
    }
  }

  /**
   * Waits for the updates still on their way: until every subscriber has
   * what was published, or nothing new has arrived for `quietMs` (what is
   * missing then is counted as lost), or two minutes have passed.
   */
  async #drain(expected: number, quietMs: number): Promise<void> {
    const started = performance.now();
    let last = -1;
    let lastChange = performance.now();
    while (performance.now() - started < 120_000) {
      const { delivered } = await this.#mark(0);
      if (delivered >= expected) return;
      if (delivered !== last) {
        last = delivered;
        lastChange = performance.now();
      } else if (performance.now() - lastChange >= quietMs) {
        return;
      }
      await sleep(250);
    }
  }

  #sum(): FleetCounters {
    return sumCounters(this.#fleets.flatMap((fleet) => (fleet.counters ? [fleet.counters] : [])));
  }

  async #mark(id: number): Promise<FleetCounters> {
    const marks = await Promise.all(
      this.#fleets.map(async (fleet) => {
        fleet.send({ type: 'mark', id });
        const message = (await fleet.next(`mark:${id}`, 30_000)) as Extract<FromFleet, { type: 'mark' }>;
        fleet.counters = message.counters;
        return message.counters;
      }),
    );
    return sumCounters(marks);
  }

  #progress(transport: string, phase: Progress['phase'], elapsedS: number, target: number, deliveredPerS = 0): void {
    const sum = this.#sum();
    const event: Progress = {
      transport,
      phase,
      elapsedS,
      open: sum.open,
      target,
      failed: sum.failed,
      deliveredPerS,
      p99Us: Math.max(0, ...this.#fleets.map((fleet) => fleet.p99)),
    };
    this.emit('progress', event);
  }
}

/** Deliveries owed when every client is subscribed: client i listens to channel i mod C. */
function expectedDeliveries(heads: Record<string, number>, channels: string[], clients: number): number {
  let total = 0;
  channels.forEach((channel, c) => {
    const subscribers = Math.floor(clients / channels.length) + (c < clients % channels.length ? 1 : 0);
    total += (heads[channel] ?? 0) * subscribers;
  });
  return total;
}

function cpuDelta(before: CpuTimes | undefined, after: CpuTimes | undefined): CpuTimes {
  if (!before || !after) return { userS: 0, systemS: 0 };
  return { userS: after.userS - before.userS, systemS: after.systemS - before.systemS };
}

function sumCounters(list: FleetCounters[]): FleetCounters {
  const total: FleetCounters = {
    attempted: 0, open: 0, failed: 0, connecting: 0, reconnects: 0, delivered: 0, payload: 0, polls: 0, echoSent: 0, down: 0, up: 0, cpuUserS: 0, cpuSystemS: 0,
  };
  for (const counters of list) {
    for (const key of Object.keys(total) as (keyof FleetCounters)[]) total[key] += counters[key];
  }
  return total;
}

interface BuildInput {
  scenario: Scenario;
  transport: TransportName;
  clients: number;
  finals: FleetFinal[];
  before: FleetCounters;
  after: FleetCounters;
  publisher: Publisher | EchoSource;
  steadyS: number;
  phases: TransportResult['phases_s'];
  server: { total: CpuTimes; steady: CpuTimes; rssPeakMb: number; workers: number };
  latencyMethod: TransportResult['latency_us']['method'];
}

/** The echo scenario's stand-in for the publisher: stopping it stops the clients' echoes. */
class EchoSource {
  readonly heads: Record<string, number> = {};
  readonly accepted = 0;
  readonly errors = new Set<string>();

  constructor(private readonly onStop: () => void) {}

  start(): void {}

  async stop(): Promise<void> {
    this.onStop();
  }
}

function buildTransportResult(input: BuildInput): TransportResult {
  const { scenario: s, finals, before, after, publisher, steadyS, transport } = input;
  const sum = (pick: (f: FleetFinal) => number) => finals.reduce((total, f) => total + pick(f), 0);
  const latency = summarize(mergeEncoded(finals.map((f) => f.histogram)));
  const steady = {
    down: after.down - before.down,
    up: after.up - before.up,
    delivered: after.delivered - before.delivered,
    payload: after.payload - before.payload,
  };
  const perUpdate = steady.delivered > 0 ? (steady.down + steady.up) / steady.delivered : 0;
  const meanPayload = steady.delivered > 0 ? steady.payload / steady.delivered : 0;
  const open = sum((f) => f.open);
  const echo = s.kind === 'echo';
  // Intended: what the scenario asked for, for every planned client; a
  // server that could not take them all falls short of it, visibly.
  const intended = input.clients * (echo ? s.echoRate : s.rate);
  const achieved = steadyS > 0 ? steady.delivered / steadyS : 0;
  const publishIntended = echo ? 0 : s.channels * s.rate;
  const publishAchieved = steadyS > 0 ? publisher.accepted / steadyS : 0;
  const rate: TransportResult['rate'] = {
    intended: round(intended, 1),
    achieved: round(achieved, 1),
    publish_intended: round(publishIntended, 2),
    publish_achieved: round(publishAchieved, 2),
    saturated: false,
  };
  if (transport === 'short-poll') {
    rate.polls_intended = round(input.clients * (1000 / s.pollIntervalMs), 1);
    // Polls go on through the drain: count them over the time they had.
    const pollingS = steadyS + input.phases.drain;
    rate.polls_achieved = pollingS > 0 ? round((after.polls - before.polls) / pollingS, 1) : 0;
  }
  // Saturated: the machine could not keep the schedule (5% slack for the
  // updates still in flight at the end of the steady phase).
  rate.saturated =
    rate.achieved < rate.intended * 0.95 ||
    rate.publish_achieved < rate.publish_intended * 0.95 ||
    (rate.polls_intended !== undefined && rate.polls_achieved! < rate.polls_intended * 0.95);
  const errors = [...finals.flatMap((f) => f.errors), ...publisher.errors];
  return {
    clients: {
      target: input.clients,
      open,
      failed: sum((f) => f.failed),
      connecting: sum((f) => f.connecting),
      reconnects: sum((f) => f.reconnects),
      processes: finals.length,
    },
    updates: {
      published: publisher.accepted,
      expected: sum((f) => f.expected),
      delivered: sum((f) => f.delivered),
      lost: sum((f) => f.lost),
      duplicated: sum((f) => f.duplicated),
      reordered: sum((f) => f.reordered),
    },
    bytes: {
      down: sum((f) => f.down),
      up: sum((f) => f.up),
      payload: sum((f) => f.payload),
      per_update: round(perUpdate, 2),
      overhead_per_update: round(perUpdate - meanPayload, 2),
      steady,
    },
    latency_us: { ...latency, method: input.latencyMethod },
    rate,
    processes: {
      server: {
        ...cpuFigures(input.server.total, input.server.steady, steady.delivered),
        rss_peak_mb: input.server.rssPeakMb,
        workers: input.server.workers,
      },
      clients: {
        ...cpuFigures(
          { userS: sum((f) => f.cpuUserS), systemS: sum((f) => f.cpuSystemS) },
          { userS: after.cpuUserS - before.cpuUserS, systemS: after.cpuSystemS - before.cpuSystemS },
          steady.delivered,
        ),
        rss_peak_mb: round(sum((f) => f.rssPeakMb), 1),
      },
    },
    phases_s: {
      ramp: round(input.phases.ramp, 2),
      steady: round(input.phases.steady, 2),
      drain: round(input.phases.drain, 2),
      teardown: round(input.phases.teardown, 2),
    },
    errors,
  };
}

/** CPU over the run and over the steady phase, and per delivered update. */
function cpuFigures(total: CpuTimes, steady: CpuTimes, delivered: number) {
  const steadyS = steady.userS + steady.systemS;
  return {
    cpu_s: round(total.userS + total.systemS, 2),
    cpu_user_s: round(total.userS, 2),
    cpu_system_s: round(total.systemS, 2),
    steady_cpu_s: round(steadyS, 2),
    cpu_us_per_update: delivered > 0 ? round((steadyS * 1e6) / delivered, 2) : 0,
  };
}

function machineInfo(): RunResult['machine'] {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: process.platform,
    release: os.release(),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
