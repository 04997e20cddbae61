/**
 * One transport at one client count, phase by phase: the server (a fresh
 * embedded one, or the --target), the ramp of the client processes, the
 * steady phase under the open-model publisher, the drain, and the teardown
 * that stops everything it started - also on error or abort().
 *
 * Every process is watched while it runs: the embedded server's exit and its stderr,
 * the target's health, each client process's exit, each publish the server did not
 * acknowledge. What happens goes to the run's events; a server that died or a target
 * that went down cuts the steady phase short, abort() any phase: a result still comes back.
 */
import type { ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import type { FaultResult, TimelinePoint, TransportResult } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { round } from '../util/round.js';
import { sleep } from '../util/sleep.js';
import { channelNames } from './channels.js';
import { EchoSource } from './echo-source.js';
import { FaultSchedule } from './faults.js';
import type { FleetGroup } from './fleet-process.js';
import { type FleetLauncher, type LaunchedFleet, localFleets } from './fleet-launcher.js';
import type { FleetCounters, FleetFinal, Owed } from './fleet-protocol.js';
import { Publisher } from './publisher.js';
import type { RunEvents } from './run-events.js';
import { openTarget, type RunTarget } from './run-target.js';
import { buildTransportResult, cpuDelta, unreachableResult } from './transport-result.js';
import type { LoadedAdapter } from '../adapter/load.js';
import { AdapterDrive } from './adapter-drive.js';
import type { Progress } from './progress.js';

export interface RunOptions {
  /** A server someone else runs (http://host:port); otherwise one is started per transport. */
  target?: string;
  secret?: string;
  /** With a target: the addresses its clients connect to (--target-hosts); see target-hosts.ts when absent. */
  targetHosts?: string[];
  /** With a target: its process, sampled for CPU and memory like the embedded server. */
  targetPid?: number;
  /** Drive the target through this adapter (its app's own subscribe and publish; markers in the data). */
  adapter?: LoadedAdapter;
  /** Called when every client is connected, before the first update (idle-memory probes). */
  onRamped?: (transport: TransportName) => Promise<void>;
  /** Where the client processes run: forked here (default) or on load agents (src/agents/). */
  fleets?: FleetLauncher;
  /** Called right after the steady-end mark, before the clients close (a bench compares the kernel's byte counts). */
  onSteadyEnd?: (transport: TransportName) => Promise<void>;
}

export type { Progress } from './progress.js';

/** What a transport run shares with the whole run. */
export interface RunContext {
  scenario: Scenario;
  options: RunOptions;
  timeline: TimelinePoint[];
  events: RunEvents;
  onProgress: (progress: Progress) => void;
}

/** How long the drain may wait at most, however slowly updates still trickle in. */
const DRAIN_LIMIT_MS = 120_000;
/** After abort(): how long the client processes get to send their books before they are killed. */
const ABORT_FINISH_MS = 1000;

export class TransportRun {
  readonly #s: Scenario;
  readonly #channels: string[];
  readonly #t0 = performance.now();
  /** Fired to cut the current phase short: abort(), a dead server, a target that went down. */
  readonly #cut = new AbortController();
  #aborted = false;
  #target: RunTarget | undefined;
  #fleets: FleetGroup | undefined;
  #launched: LaunchedFleet | undefined;
  #source: Publisher | EchoSource | undefined;
  #phase: Progress['phase'] = 'server';
  #faults: FaultSchedule | undefined;
  /** The counters when the steady phase began: live bytes per update are measured from there. */
  #steadyStart: FleetCounters | undefined;
  readonly #adapter: AdapterDrive | undefined;

  constructor(
    private readonly context: RunContext,
    readonly transport: TransportName,
    readonly clients: number,
  ) {
    this.#s = context.scenario;
    this.#channels = channelNames(this.#s.channels);
    const adapter = context.options.adapter;
    this.#adapter = adapter && new AdapterDrive(adapter, this.#s, transport);
  }

  async run(): Promise<TransportResult> {
    this.#progress('server');
    try {
      const target = await this.#openTarget();
      this.#target = target;
      if (!target || (this.#adapter && !(await this.#adapter.check(target, this.#channels[0]!, this.context.events)))) {
        return unreachableResult(this.#s, this.transport, this.clients);
      }
      const ramp = await this.#ramp(target.clientTargets);
      if (!this.#cut.signal.aborted) await this.context.options.onRamped?.(this.transport);
      const steady = await this.#steadyAndDrain(target);
      this.#progress('teardown');
      const teardownStart = performance.now();
      const serverTotals = target.sampler?.stop();
      const finals = await this.#finish(steady.source);
      await this.#stopTarget();
      const result = buildTransportResult({
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
      const agents = this.#launched?.breakdown?.(finals);
      return agents ? { ...result, agents } : result;
    } finally {
      await this.stop();
    }
  }

  /** The server to drive; undefined (and said in the events) when it does not start or does not answer. */
  async #openTarget(): Promise<RunTarget | undefined> {
    try {
      return await openTarget({
        scenario: this.#s,
        target: this.context.options.target,
        targetHosts: this.context.options.targetHosts,
        targetPid: this.context.options.targetPid,
        transport: this.transport,
        events: this.context.events,
        onGone: () => this.#cut.abort(),
        probe: this.#adapter?.probe,
      });
    } catch (error) {
      this.context.events.add('server-start-failed', (error as Error).message.slice(0, 2000), this.transport);
      return undefined;
    }
  }

  /** What each injected fault did (a `faults` scenario; empty otherwise). */
  faultResults(): FaultResult[] {
    return this.#faults?.results() ?? [];
  }

  /** Ends the run early (Ctrl-C): the current phase is cut short and a partial result comes back from run(). */
  abort(): void {
    this.#aborted = true;
    this.#cut.abort();
    this.#fleets?.broadcast({ type: 'end-ramp' });
  }

  /** Stops every process this run started; safe to call at any time, more than once. */
  async stop(): Promise<void> {
    await this.#source?.stop(true).catch(() => {});
    await this.#fleets?.kill();
    await this.#stopTarget();
  }

  async #stopTarget(): Promise<void> {
    const target = this.#target;
    this.#target = undefined;
    await target?.stop();
  }

  /** The clients spread over processes of at most clientsPerProcess each (here or on agents); returns the ramp's seconds. */
  async #ramp(targets: ClientTarget[]): Promise<number> {
    const s = this.#s;
    this.#launched = await (this.context.options.fleets ?? localFleets).launch({
      scenario: s,
      transport: this.transport,
      clients: this.clients,
      channels: this.#channels,
      targets,
      events: this.context.events,
      adapter: this.#adapter?.fleet,
    });
    const { plans } = this.#launched;
    this.#fleets = this.#launched.group;
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
    await this.#sleep(s.kind === 'echo' ? Math.max(500, 1000 / s.echoRate + 100) : 500);
    return rampS;
  }

  async #steadyAndDrain(target: RunTarget) {
    const s = this.#s;
    const fleets = this.#fleets!;
    const before = await fleets.mark('steady-start');
    this.#steadyStart = before;
    const serverCpuBefore = target.sampler?.cpu();
    const source = this.#startSource(target);
    const steadyStart = performance.now();
    this.#phase = 'steady';
    this.#progress('steady'); // at once, not a second later at the first tick: whoever waits for it starts sooner
    const ticker = this.#startTimeline(before.delivered);
    const faults = s.kind === 'faults' ? new FaultSchedule(this.#faultContext(target, source)) : undefined;
    this.#faults = faults;
    try {
      faults?.start();
      await this.#sleep(s.durationMs);
      faults?.stop();
      await source.stop(this.#aborted);
      const steadyS = (performance.now() - steadyStart) / 1000;
      this.#phase = 'drain';
      this.#progress('drain');
      const drainStart = performance.now();
      if (!this.#cut.signal.aborted) await this.#drain({ heads: source.heads, unacknowledged: source.unacknowledged });
      const drainS = (performance.now() - drainStart) / 1000;
      const after = await fleets.mark('steady-end');
      await this.context.options.onSteadyEnd?.(this.transport);
      return { before, after, source, steadyS, drainS, serverCpu: cpuDelta(serverCpuBefore, target.sampler?.cpu()) };
    } finally {
      faults?.stop();
      clearInterval(ticker);
    }
  }

  #startSource(target: RunTarget): Publisher | EchoSource {
    const fleets = this.#fleets!;
    const source =
      this.#s.kind === 'echo'
        ? new EchoSource(() => fleets.broadcast({ type: 'quiesce' }))
        : new Publisher({
            baseUrl: target.baseUrl,
            channels: this.#channels,
            rate: this.#s.rate,
            payloadBytes: this.#s.payloadBytes,
            secret: this.context.options.secret,
            onFailure: (message) => this.context.events.add('publish-failed', message, this.transport),
            adapter: this.#adapter?.publisher(target.baseUrl),
          });
    this.#source = source;
    source.start();
    return source;
  }

  #faultContext(target: RunTarget, source: Publisher | EchoSource) {
    return {
      faults: this.#s.faults,
      transport: this.transport,
      baseUrl: target.baseUrl,
      serverPid: target.sampler?.rootPid,
      secret: this.context.options.secret,
      events: this.context.events,
      fleets: this.#fleets!,
      pausePublisher: (ms: number) => source.pause(ms),
    };
  }

  /** The books of every client process; after abort() they get a moment, then what their counters said. */
  #finish(source: Publisher | EchoSource): Promise<FleetFinal[]> {
    const timeout = this.#aborted ? ABORT_FINISH_MS : undefined;
    return this.#fleets!.finish(source.heads, source.unacknowledged, timeout);
  }

  /** A point a second on the run's timeline, and a progress event with it. */
  #startTimeline(deliveredAtStart: number): NodeJS.Timeout {
    let lastDelivered = deliveredAtStart;
    return setInterval(() => {
      const now: FleetCounters = this.#fleets!.latest();
      const deliveredPerS = now.delivered - lastDelivered;
      lastDelivered = now.delivered;
      this.context.timeline.push({
        t_s: round(this.#elapsedS(), 1),
        transport: this.transport,
        open: now.open,
        delivered_per_s: deliveredPerS,
      });
      this.#progress(this.#phase, deliveredPerS);
    }, 1000);
  }

  /**
   * Waits for the updates still on their way: until no subscriber is owed
   * anything (each process counts what its clients miss against `owed`) and
   * no client is still reconnecting (it resumes from its cursor), or nothing
   * has changed (no delivery, no client back) for the drain time (what is
   * missing is lost), or DRAIN_LIMIT_MS passed.
   */
  async #drain(owed: Owed): Promise<void> {
    const started = performance.now();
    let last = '';
    let lastChange = started;
    while (performance.now() - started < DRAIN_LIMIT_MS && !this.#cut.signal.aborted) {
      const { delivered, reconnecting, missing } = await this.#fleets!.mark('drain-check', owed);
      if (missing === 0 && reconnecting === 0) return;
      if (`${delivered}/${reconnecting}` !== last) {
        last = `${delivered}/${reconnecting}`;
        lastChange = performance.now();
      } else if (performance.now() - lastChange >= this.#s.drainMs) {
        return;
      }
      await this.#sleep(250);
    }
  }

  /** A sleep that the cut ends early. */
  #sleep(ms: number): Promise<void> {
    return sleep(ms, this.#cut.signal);
  }

  #elapsedS(): number {
    return (performance.now() - this.#t0) / 1000;
  }

  #progress(phase: Progress['phase'], deliveredPerS = 0): void {
    const sum = this.#fleets?.latest();
    const latency = this.#fleets?.percentiles() ?? { p50: 0, p90: 0, p99: 0 };
    const start = this.#steadyStart;
    const steadyDelivered = sum && start ? sum.delivered - start.delivered : 0;
    this.context.onProgress({
      transport: this.transport,
      phase,
      elapsedS: this.#elapsedS(),
      open: sum?.open ?? 0,
      target: this.clients,
      failed: sum?.failed ?? 0,
      deliveredPerS,
      p50Us: latency.p50,
      p90Us: latency.p90,
      p99Us: latency.p99,
      ...(sum && start && steadyDelivered > 0 && { bytesPerUpdate: (sum.down + sum.up - start.down - start.up) / steadyDelivered }),
    });
  }
}
