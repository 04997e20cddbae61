/**
 * The result arithmetic of one transport run, as pure functions of what the
 * client processes, the publisher and the process sampler reported: totals,
 * steady-phase bytes per update, intended against achieved rates (and whether
 * the machine kept the schedule), CPU per delivered update.
 */
import { mergeEncoded, summarize } from '../metrics/latency.js';
import type { TransportName } from '../clients/registry.js';
import { baseTransport } from '../result/transport-name.js';
import type { TransportResult } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { round } from '../util/round.js';
import type { FleetCounters, FleetFinal } from './fleet-protocol.js';
import type { CpuTimes } from './process-stats.js';

/** What the updates came from: the publisher, or the echo scenario's stand-in. */
export interface UpdateCounts {
  readonly attempted: number;
  /** Updates the server accepted. */
  readonly accepted: number;
  /** Given up on: never acknowledged. */
  readonly failed: number;
  readonly retried: number;
  readonly errors: ReadonlySet<string>;
}

export interface TransportFacts {
  scenario: Scenario;
  transport: TransportName;
  /** Clients planned (the target). */
  clients: number;
  finals: FleetFinal[];
  /** All client processes' counters at the start and at the end of the steady phase (drain included). */
  before: FleetCounters;
  after: FleetCounters;
  updates: UpdateCounts;
  phases: TransportResult['phases_s'] & {};
  server: { total: CpuTimes; steady: CpuTimes; rssPeakMb: number; workers: number };
}

/** Share of the intended rate below which a run counts as saturated (slack for updates in flight at the end). */
export const SATURATION_SLACK = 0.95;

const COUNTER_KEYS = [
  'attempted',
  'open',
  'failed',
  'connecting',
  'reconnects',
  'openRetries',
  'reconnecting',
  'delivered',
  'payload',
  'polls',
  'echoSent',
  'down',
  'up',
  'cpuUserS',
  'cpuSystemS',
  'missing',
] as const satisfies readonly (keyof FleetCounters)[];

export function sumCounters(list: readonly FleetCounters[]): FleetCounters {
  const total = Object.fromEntries(COUNTER_KEYS.map((key) => [key, 0])) as unknown as FleetCounters;
  // `?? 0`: a load agent of an older version does not send every counter.
  for (const counters of list) for (const key of COUNTER_KEYS) total[key] += counters[key] ?? 0;
  return total;
}

export function cpuDelta(before: CpuTimes | undefined, after: CpuTimes | undefined): CpuTimes {
  if (!before || !after) return { userS: 0, systemS: 0 };
  return { userS: after.userS - before.userS, systemS: after.systemS - before.systemS };
}

/** CPU over the run and over the steady phase, and per delivered update. */
export function cpuFigures(total: CpuTimes, steady: CpuTimes, delivered: number) {
  const steadyS = steady.userS + steady.systemS;
  return {
    cpu_s: round(total.userS + total.systemS, 2),
    cpu_user_s: round(total.userS, 2),
    cpu_system_s: round(total.systemS, 2),
    steady_cpu_s: round(steadyS, 2),
    cpu_us_per_update: delivered > 0 ? round((steadyS * 1e6) / delivered, 2) : 0,
  };
}

/** Steady-phase wire bytes and deliveries: the difference of the two marks. */
export function steadyBytes(before: FleetCounters, after: FleetCounters) {
  return {
    down: after.down - before.down,
    up: after.up - before.up,
    delivered: after.delivered - before.delivered,
    payload: after.payload - before.payload,
  };
}

/**
 * Intended against achieved. Intended is what the scenario asked for, for
 * every planned client: a server that could not take them all falls short of
 * it, visibly. Short polls go on through the drain, so their rate counts the
 * time they had.
 */
export function rateFigures(facts: TransportFacts, steadyDelivered: number): TransportResult['rate'] {
  const { scenario: s, clients, phases, before, after } = facts;
  const echo = s.kind === 'echo';
  const steadyS = phases.steady;
  const rate: TransportResult['rate'] = {
    intended: round(clients * (echo ? s.echoRate : s.rate), 1),
    achieved: round(steadyS > 0 ? steadyDelivered / steadyS : 0, 1),
    publish_intended: round(echo ? 0 : s.channels * s.rate, 2),
    publish_achieved: round(steadyS > 0 ? facts.updates.accepted / steadyS : 0, 2),
    saturated: false,
  };
  if (baseTransport(facts.transport) === 'short-poll') {
    rate.polls_intended = round(clients * (1000 / s.pollIntervalMs), 1);
    const pollingS = steadyS + phases.drain;
    rate.polls_achieved = pollingS > 0 ? round((after.polls - before.polls) / pollingS, 1) : 0;
  }
  const short = (achieved: number | undefined, intended: number | undefined) =>
    intended !== undefined && (achieved ?? 0) < intended * SATURATION_SLACK;
  rate.saturated =
    short(rate.achieved, rate.intended) ||
    short(rate.publish_achieved, rate.publish_intended) ||
    short(rate.polls_achieved, rate.polls_intended);
  return rate;
}

export function buildTransportResult(facts: TransportFacts): TransportResult {
  const { finals, before, after } = facts;
  const sum = (pick: (f: FleetFinal) => number) => finals.reduce((total, f) => total + pick(f), 0);
  const steady = steadyBytes(before, after);
  const perUpdate = steady.delivered > 0 ? (steady.down + steady.up) / steady.delivered : 0;
  const meanPayload = steady.delivered > 0 ? steady.payload / steady.delivered : 0;
  const clientCpu = { userS: sum((f) => f.cpuUserS), systemS: sum((f) => f.cpuSystemS) };
  const clientSteadyCpu = { userS: after.cpuUserS - before.cpuUserS, systemS: after.cpuSystemS - before.cpuSystemS };
  return {
    clients: {
      target: facts.clients,
      open: sum((f) => f.open),
      failed: sum((f) => f.failed),
      connecting: sum((f) => f.connecting),
      reconnects: sum((f) => f.reconnects),
      open_retries: sum((f) => f.openRetries ?? 0),
      reconnected: sum((f) => f.reconnected),
      dropped: sum((f) => f.dropped),
      processes: finals.length,
    },
    updates: {
      published: facts.updates.accepted,
      expected: sum((f) => f.expected),
      delivered: sum((f) => f.delivered),
      lost: sum((f) => f.lost),
      duplicated: sum((f) => f.duplicated),
      reordered: sum((f) => f.reordered),
      gaps: sum((f) => f.gaps),
      gap_updates: sum((f) => f.gapUpdates),
    },
    publish: {
      attempted: facts.updates.attempted,
      accepted: facts.updates.accepted,
      failed: facts.updates.failed,
      retried: facts.updates.retried,
    },
    bytes: {
      down: sum((f) => f.down),
      up: sum((f) => f.up),
      payload: sum((f) => f.payload),
      per_update: round(perUpdate, 2),
      overhead_per_update: round(perUpdate - meanPayload, 2),
      steady,
    },
    latency_us: {
      ...summarize(mergeEncoded(finals.map((f) => f.histogram))),
      method: facts.scenario.kind === 'echo' ? 'echo-rtt' : 'publish-ts',
    },
    rate: rateFigures(facts, steady.delivered),
    processes: {
      server: {
        ...cpuFigures(facts.server.total, facts.server.steady, steady.delivered),
        rss_peak_mb: facts.server.rssPeakMb,
        workers: facts.server.workers,
      },
      clients: {
        ...cpuFigures(clientCpu, clientSteadyCpu, steady.delivered),
        rss_peak_mb: round(
          sum((f) => f.rssPeakMb),
          1,
        ),
      },
    },
    phases_s: {
      ramp: round(facts.phases.ramp, 2),
      steady: round(facts.phases.steady, 2),
      drain: round(facts.phases.drain, 2),
      teardown: round(facts.phases.teardown, 2),
    },
    errors: [...finals.flatMap((f) => f.errors), ...facts.updates.errors],
  };
}

/** A target that never answered: nothing was opened, every planned client failed. */
export function unreachableResult(scenario: Scenario, transport: TransportName, clients: number): TransportResult {
  const zero = sumCounters([]);
  const result = buildTransportResult({
    scenario,
    transport,
    clients,
    finals: [],
    before: zero,
    after: zero,
    updates: { attempted: 0, accepted: 0, failed: 0, retried: 0, errors: new Set() },
    phases: { ramp: 0, steady: 0, drain: 0, teardown: 0 },
    server: { total: { userS: 0, systemS: 0 }, steady: { userS: 0, systemS: 0 }, rssPeakMb: 0, workers: 0 },
  });
  result.clients.failed = clients;
  return result;
}
