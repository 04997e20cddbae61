/** The result arithmetic of one transport run, from counters a test writes by hand. */
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../src/metrics/latency.js';
import { subscribersOf } from '../../../src/harness/channels.js';
import type { FleetCounters, FleetFinal } from '../../../src/harness/fleet-protocol.js';
import { buildTransportResult, cpuFigures, rateFigures, sumCounters, type TransportFacts } from '../../../src/harness/transport-result.js';
import { parseScenario, type ScenarioInput } from '../../../src/scenarios/schema.js';

const ZERO: FleetCounters = {
  attempted: 0,
  open: 0,
  failed: 0,
  connecting: 0,
  reconnects: 0,
  openRetries: 0,
  reconnecting: 0,
  delivered: 0,
  payload: 0,
  polls: 0,
  echoSent: 0,
  down: 0,
  up: 0,
  cpuUserS: 0,
  cpuSystemS: 0,
}; // prettier-ignore

function counters(values: Partial<FleetCounters>): FleetCounters {
  return { ...ZERO, ...values };
}

function final(values: Partial<FleetFinal>, latenciesUs: number[] = []): FleetFinal {
  const latency = new LatencyRecorder();
  for (const us of latenciesUs) latency.record(us);
  return {
    ...ZERO,
    expected: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    reconnected: 0,
    dropped: 0,
    gaps: 0,
    gapUpdates: 0,
    histogram: latency.encode(),
    rssPeakMb: 0,
    errors: [],
    ...values,
  };
}

function updates(accepted: number) {
  return { attempted: accepted, accepted, failed: 0, retried: 0, errors: new Set<string>() };
}

function scenario(overrides: Partial<ScenarioInput> = {}) {
  return parseScenario(
    { name: 't', transports: ['ws'], clients: 10, channels: 2, rate: 5, payloadBytes: 10, durationMs: 1000, rampPerSec: 100, ...overrides },
    'test',
  );
}

function facts(overrides: Partial<TransportFacts> = {}): TransportFacts {
  return {
    scenario: scenario(),
    transport: 'ws',
    clients: 10,
    finals: [],
    before: ZERO,
    after: ZERO,
    updates: updates(0),
    phases: { ramp: 1, steady: 2, drain: 0.5, teardown: 0.1 },
    server: { total: { userS: 0, systemS: 0 }, steady: { userS: 0, systemS: 0 }, rssPeakMb: 0, workers: 1 },
    ...overrides,
  };
}

describe('channels: client i listens to channel i mod C', () => {
  it('counts subscribers per channel', () => {
    // 10 clients on 3 channels: 4, 3, 3.
    expect([0, 1, 2].map((c) => subscribersOf(c, 3, 10))).toEqual([4, 3, 3]);
  });
});

describe('transport result arithmetic', () => {
  it('sums counters across processes, key by key', () => {
    const sum = sumCounters([counters({ open: 3, down: 100, cpuUserS: 0.5, missing: 2 }), counters({ open: 4, down: 50, cpuUserS: 0.25 })]);
    // `missing` is only in a drain check's answer: absent counts as 0.
    expect(sum).toEqual({ ...ZERO, open: 7, down: 150, cpuUserS: 0.75, missing: 2 });
  });

  it('bytes per update come from the steady marks only; overhead is that minus the mean payload', () => {
    const result = buildTransportResult(
      facts({
        before: counters({ down: 1000, up: 200, delivered: 10, payload: 100 }),
        // 40 more deliveries carrying 400 payload bytes, over 5,000 + 800 wire bytes.
        after: counters({ down: 6000, up: 1000, delivered: 50, payload: 500 }),
        finals: [
          final(
            { open: 5, delivered: 30, expected: 30, down: 4000, up: 600, payload: 300, reconnected: 2, dropped: 1, gaps: 1, gapUpdates: 4 },
            [1000, 2000],
          ),
          final({ open: 5, delivered: 20, expected: 21, lost: 1, down: 2500, up: 500 }),
        ],
        updates: { attempted: 12, accepted: 10, failed: 2, retried: 3, errors: new Set(['publish answered 500: x']) },
      }),
    );
    expect(result.bytes).toMatchObject({ down: 6500, up: 1100, payload: 300, per_update: 145, overhead_per_update: 135 });
    expect(result.bytes.steady).toEqual({ down: 5000, up: 800, delivered: 40, payload: 400 });
    expect(result.updates).toEqual({
      published: 10,
      expected: 51,
      delivered: 50,
      lost: 1,
      duplicated: 0,
      reordered: 0,
      gaps: 1,
      gap_updates: 4,
    });
    expect(result.clients).toMatchObject({ reconnected: 2, dropped: 1 });
    expect(result.publish).toEqual({ attempted: 12, accepted: 10, failed: 2, retried: 3 });
    expect(result.clients).toMatchObject({ target: 10, open: 10, processes: 2 });
    expect(result.latency_us).toMatchObject({ count: 2, method: 'publish-ts' });
    expect(result.errors).toEqual(['publish answered 500: x']);
  });

  it('without deliveries the per-update figures are 0, not NaN', () => {
    const result = buildTransportResult(facts());
    expect(result.bytes.per_update).toBe(0);
    expect(result.bytes.overhead_per_update).toBe(0);
    expect(result.processes.server.cpu_us_per_update).toBe(0);
  });

  it('a schedule kept within 5% is not saturated; one missed by more is', () => {
    // 10 clients x 5/s = 50 updates/s intended; 2 s steady.
    expect(rateFigures(facts({ updates: updates(20) }), 96)).toMatchObject({
      intended: 50,
      achieved: 48,
      publish_intended: 10,
      publish_achieved: 10,
      saturated: false,
    });
    expect(rateFigures(facts({ updates: updates(20) }), 94).saturated).toBe(true);
    // The publisher falling behind saturates the run even when every accepted update arrived.
    expect(rateFigures(facts({ updates: updates(18) }), 100).saturated).toBe(true);
  });

  it('short polling counts polls/s over the steady phase and the drain', () => {
    const rate = rateFigures(
      facts({
        transport: 'short-poll',
        before: counters({ polls: 100 }),
        after: counters({ polls: 100 + 24 }),
        updates: updates(20),
      }),
      100,
    );
    // 10 clients at a 1,000 ms interval: 10 polls/s intended; 24 polls in 2.5 s.
    expect(rate).toMatchObject({ polls_intended: 10, polls_achieved: 9.6, saturated: false });
  });

  it('CPU per update is steady CPU seconds per delivered update, in microseconds', () => {
    expect(cpuFigures({ userS: 3, systemS: 1 }, { userS: 0.75, systemS: 0.25 }, 4000)).toEqual({
      cpu_s: 4,
      cpu_user_s: 3,
      cpu_system_s: 1,
      steady_cpu_s: 1,
      cpu_us_per_update: 250,
    }); // prettier-ignore
  });
});

describe('the echo path', () => {
  it('intends echoRate per client, publishes nothing, and reports round-trip latency', () => {
    const echo = scenario({ kind: 'echo', echoRate: 4 });
    const result = buildTransportResult(
      facts({ scenario: echo, after: counters({ delivered: 80 }), finals: [final({ delivered: 80, expected: 80, echoSent: 80 }, [500])] }),
    );
    expect(result.rate).toMatchObject({ intended: 40, achieved: 40, publish_intended: 0, saturated: false });
    expect(result.latency_us.method).toBe('echo-rtt');
    expect(result.updates.published).toBe(0);
  });
});
