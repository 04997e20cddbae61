/**
 * One transport at one client count, phase by phase: the server (a fresh
 * embedded one, or the --target), the ramp of the client processes, the
 * steady phase under the open-model publisher, the drain, and the teardown
 * that stops everything it started - also on error or abort().
 */
import type { ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import type { TimelinePoint, TransportResult } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { round } from '../util/round.js';
import { shareOf } from '../util/share.js';
import { sleep } from '../util/sleep.js';
import { channelNames, expectedDeliveries } from './channels.js';
import { EchoSource } from './echo-source.js';
import { FleetGroup } from './fleet-process.js';
import type { FleetCounters, FleetPlan } from './fleet-protocol.js';
import { ProcessTreeSampler } from './process-stats.js';
import { Publisher } from './publisher.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { buildTransportResult, cpuDelta } from './transport-result.js';

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

/** Where the clients connect, and the process tree to sample (if any). */
interface Target {
  baseUrl: string;
  clientTargets: ClientTarget[];
  sampler: ProcessTreeSampler | undefined;
}

/** How long the drain may wait at most, however slowly updates still trickle in. */
const DRAIN_LIMIT_MS = 120_000;

export class TransportRun {
  readonly #s: Scenario;
  readonly #channels: string[];
  readonly #t0 = performance.now();
  #server: ServerProcess | undefined;
  #fleets: FleetGroup | undefined;
  #source: Publisher | EchoSource | undefined;
  #sampler: ProcessTreeSampler | undefined;
  #phase: Progress['phase'] = 'server';

  constructor(
    scenario: Scenario,
    readonly transport: TransportName,
    readonly clients: number,
    private readonly options: RunOptions,
    private readonly timeline: TimelinePoint[],
    private readonly onProgress: (progress: Progress) => void,
  ) {
    this.#s = scenario;
    this.#channels = channelNames(scenario.channels);
  }

  async run(): Promise<TransportResult> {
    this.#progress('server');
    try {
      const target = await this.#startTarget();
      this.#sampler = target.sampler;
      const ramp = await this.#ramp(target.clientTargets);
      await this.options.onRamped?.(this.transport);
      const steady = await this.#steadyAndDrain(target);
      this.#progress('teardown');
      const teardownStart = performance.now();
      const serverTotals = this.#sampler?.stop();
      const finals = await this.#fleets!.finish(steady.source.heads);
      await this.#stopServer();
      return buildTransportResult({
        scenario: this.#s,
        transport: this.transport,
        clients: this.clients,
        finals,
        before: steady.before,
        after: steady.after,
        updates: steady.source,
        phases: { ramp, steady: steady.steadyS, drain: steady.drainS, teardown: (performance.now() - teardownStart) / 1000 },
        server: {
          total: serverTotals?.cpu ?? { userS: 0, systemS: 0 },
          steady: steady.serverCpu,
          rssPeakMb: serverTotals?.rssPeakMb ?? 0,
          workers: serverTotals ? this.#s.serverWorkers : 0,
        },
      });
    } finally {
      await this.stop();
    }
  }

  /** Stops every process this run started; safe to call at any time, more than once. */
  async stop(): Promise<void> {
    await this.#source?.stop().catch(() => {});
    await this.#fleets?.kill();
    this.#sampler?.stop();
    await this.#stopServer();
  }

  async #stopServer(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.stop();
  }

  async #startTarget(): Promise<Target> {
    const { target, targetPid } = this.options;
    if (target) {
      const url = new URL(target);
      const sampler = targetPid ? new ProcessTreeSampler(targetPid) : undefined;
      sampler?.start();
      return { baseUrl: url.origin, clientTargets: [{ host: url.hostname, port: Number(url.port || 80) }], sampler };
    }
    const s = this.#s;
    this.#server = await startServerProcess([
      '--host',
      '0.0.0.0',
      '--workers',
      String(s.serverWorkers),
      '--long-poll-timeout',
      String(s.longPollTimeoutMs),
      // A minute of updates, so a slow subscriber can still catch up from history.
      '--history',
      String(Math.max(1000, Math.ceil(s.rate * 60))),
      ...(s.kind === 'echo' ? ['--echo'] : []),
    ]); // prettier-ignore
    const port = this.#server.port;
    // Several loopback destinations: one address pair has ~28,000 ephemeral ports.
    const hosts = Array.from({ length: s.loopbackAddresses }, (_, i) => `127.0.0.${i + 1}`);
    const sampler = new ProcessTreeSampler(this.#server.pid);
    sampler.start();
    return { baseUrl: `http://127.0.0.1:${port}`, clientTargets: hosts.map((host) => ({ host, port })), sampler };
  }

  /** The clients spread over processes of at most clientsPerProcess each; returns the ramp's seconds. */
  async #ramp(targets: ClientTarget[]): Promise<number> {
    const s = this.#s;
    const processCount = Math.ceil(this.clients / s.clientsPerProcess);
    this.#fleets = new FleetGroup(processCount);
    let firstIndex = 0;
    const plans = this.#fleets.fleets.map((_, i): FleetPlan => {
      const count = shareOf(i, processCount, this.clients);
      const plan: FleetPlan = {
        transport: this.transport,
        firstIndex,
        count,
        channels: this.#channels,
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
      return plan;
    });
    this.#progress('ramp');
    const ticker = setInterval(() => this.#progress('ramp'), 1000);
    try {
      // Three times the planned ramp time plus a minute: a slow server slows
      // the ramp, a stuck one ends it with the clients still connecting.
      await this.#fleets.ramp(plans, (plan) => (plan.count / plan.rampPerSec) * 1000 * 3 + 60_000);
    } finally {
      clearInterval(ticker);
    }
    const rampS = this.#elapsedS();
    // Let the last subscriptions reach the server before the first update
    // is due (echo: until every client has started its round trips).
    await sleep(s.kind === 'echo' ? Math.max(500, 1000 / s.echoRate + 100) : 500);
    return rampS;
  }

  async #steadyAndDrain(target: Target) {
    const s = this.#s;
    const fleets = this.#fleets!;
    const before = await fleets.mark('steady-start');
    const serverCpuBefore = this.#sampler?.cpu();
    const echo = s.kind === 'echo';
    const source = echo
      ? new EchoSource(() => fleets.broadcast({ type: 'quiesce' }))
      : new Publisher({
          baseUrl: target.baseUrl,
          channels: this.#channels,
          rate: s.rate,
          payloadBytes: s.payloadBytes,
          secret: this.options.secret,
        });
    this.#source = source;
    const steadyStart = performance.now();
    this.#phase = 'steady';
    source.start();
    const ticker = this.#startTimeline(before.delivered);
    try {
      await sleep(s.durationMs);
      await source.stop();
      const steadyS = (performance.now() - steadyStart) / 1000;
      this.#phase = 'drain';
      this.#progress('drain');
      const drainStart = performance.now();
      const owed = echo ? (await fleets.mark('echo-count')).echoSent : expectedDeliveries(source.heads, this.#channels, this.clients);
      await this.#drain(owed);
      const drainS = (performance.now() - drainStart) / 1000;
      const after = await fleets.mark('steady-end');
      return { before, after, source, steadyS, drainS, serverCpu: cpuDelta(serverCpuBefore, this.#sampler?.cpu()) };
    } finally {
      clearInterval(ticker);
    }
  }

  /** A point a second on the run's timeline, and a progress event with it. */
  #startTimeline(deliveredAtStart: number): NodeJS.Timeout {
    let lastDelivered = deliveredAtStart;
    return setInterval(() => {
      const now: FleetCounters = this.#fleets!.latest();
      const deliveredPerS = now.delivered - lastDelivered;
      lastDelivered = now.delivered;
      this.timeline.push({ t_s: round(this.#elapsedS(), 1), transport: this.transport, open: now.open, delivered_per_s: deliveredPerS });
      this.#progress(this.#phase, deliveredPerS);
    }, 1000);
  }

  /**
   * Waits for the updates still on their way: until every subscriber has
   * what was published, or nothing new has arrived for the scenario's drain
   * time (what is missing then is counted as lost), or DRAIN_LIMIT_MS passed.
   */
  async #drain(expected: number): Promise<void> {
    const started = performance.now();
    let last = -1;
    let lastChange = started;
    while (performance.now() - started < DRAIN_LIMIT_MS) {
      const { delivered } = await this.#fleets!.mark('drain-check');
      if (delivered >= expected) return;
      if (delivered !== last) {
        last = delivered;
        lastChange = performance.now();
      } else if (performance.now() - lastChange >= this.#s.drainMs) {
        return;
      }
      await sleep(250);
    }
  }

  #elapsedS(): number {
    return (performance.now() - this.#t0) / 1000;
  }

  #progress(phase: Progress['phase'], deliveredPerS = 0): void {
    const sum = this.#fleets?.latest();
    this.onProgress({
      transport: this.transport,
      phase,
      elapsedS: this.#elapsedS(),
      open: sum?.open ?? 0,
      target: this.clients,
      failed: sum?.failed ?? 0,
      deliveredPerS,
      p99Us: this.#fleets?.p99() ?? 0,
    });
  }
}
