/** A failure never looks like a pass: the verdict from the result, the bounded events, the fault aftermath, the process split. */
import { describe, expect, it } from 'vitest';
import { faultFigures, type FaultSample, workerPids } from '../../../src/harness/faults.js';
import { fleetPlans } from '../../../src/harness/fleet-plans.js';
import { RunEvents } from '../../../src/harness/run-events.js';
import { runProblems, runStatus } from '../../../src/harness/verdict.js';
import { parseScenario } from '../../../src/scenarios/schema.js';
import { smokeRun } from '../../helpers/run-fixture.js';

describe('run verdict', () => {
  it('a clean run is ok', () => {
    expect(runStatus(smokeRun(), 'fanout', false)).toEqual({ status: 'ok', problems: [] });
  });

  it('a dead server, an unreachable target or a dead client process makes it invalid, whatever else it says', () => {
    for (const kind of ['server-exit', 'target-unreachable', 'target-down', 'client-process-exit', 'fault-not-injected']) {
      const run = smokeRun((json) => {
        json.events = [{ t_s: 3.2, transport: 'ws', kind, message: 'how' }];
      });
      const verdict = runStatus(run, 'fanout', false);
      expect(verdict.status, kind).toBe('invalid');
      expect(verdict.problems![0], kind).toMatch(/^ws: .+ \(how\)$/);
    }
  });

  it('a log line or a fault is an event, not a problem', () => {
    const run = smokeRun((json) => {
      json.events = [
        { t_s: 1, kind: 'server-log', message: 'worker 3 restarted' },
        { t_s: 2, kind: 'fault', message: 'kill-worker' },
      ];
    });
    expect(runProblems(run, 'faults')).toEqual([]);
  });

  it('unacknowledged publishes and missing clients make it invalid, except missing clients in a capacity search', () => {
    const run = smokeRun((json) => {
      json.transports.ws.publish = { attempted: 100, accepted: 97, failed: 3 };
      json.transports.sse.clients.open = 38;
    });
    // Transports in the result's order: sse comes before ws.
    expect(runProblems(run, 'fanout')).toEqual([
      'sse: 2 of 40 clients were not open at the end',
      'ws: 3 of 100 publishes were never acknowledged by the server',
    ]);
    expect(runProblems(run, 'capacity')).toEqual(['ws: 3 of 100 publishes were never acknowledged by the server']);
  });

  it('an aborted run says so first', () => {
    const verdict = runStatus(smokeRun(), 'fanout', true);
    expect(verdict.status).toBe('aborted');
    expect(verdict.problems![0]).toContain('stopped by a signal');
  });
});

describe('run events', () => {
  it('keeps a bounded list and counts the rest, but tells listeners of every one', () => {
    const events = new RunEvents(performance.now(), 3);
    const heard: string[] = [];
    events.onEvent((event) => heard.push(event.message));
    for (let i = 0; i < 5; i++) events.add('server-log', `line ${i}`, 'ws');
    expect(events.list.map((e) => e.message)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(events.omitted).toBe(2);
    expect(heard).toHaveLength(5);
    expect(events.list.every((event) => event.kind === 'server-log' && event.transport === 'ws')).toBe(true);
  });
});

describe('fault aftermath', () => {
  const samples = (list: [number, number, number, number][]): FaultSample[] =>
    list.map(([atMs, open, reconnects, intervalP99Us]) => ({ atMs, open, reconnects, intervalP99Us }));

  it('fewest open, time to recover, the reconnect storm and p99 during and after', () => {
    const fault = { spec: { at_s: 5, action: 'kill-worker' as const }, atMs: 5000, detail: 'worker 42 killed', openBefore: 300 };
    const seen = samples([
      [4500, 300, 0, 2000],
      [5500, 300, 0, 2000], // counters from before the fault reached us
      [6500, 200, 60, 90_000],
      [7500, 280, 100, 40_000],
      [8500, 300, 100, 3000],
      [9500, 300, 100, 2500],
      [12_500, 300, 100, 9000], // beyond the after window
    ]);
    expect(faultFigures(fault, seen, undefined, 'ws')).toEqual({
      transport: 'ws',
      action: 'kill-worker',
      at_s: 5,
      detail: 'worker 42 killed',
      open_before: 300,
      open_min: 200,
      recovered_s: 3.5,
      reconnects: 100,
      reconnects_per_s_peak: 60,
      p99_during_ms: 90,
      p99_after_ms: 2.5,
    });
  });

  it('a fault the clients never recovered from says so', () => {
    const fault = { spec: { at_s: 1, action: 'drop-connections' as const, share: 0.5 }, atMs: 1000, detail: '', openBefore: 10 };
    expect(
      faultFigures(
        fault,
        samples([
          [2500, 5, 5, 0],
          [3500, 6, 9, 0],
        ]),
        undefined,
        'sse',
      ),
    ).toMatchObject({ open_min: 5, recovered_s: null });
  });

  it('reads worker pids from /healthz in either form', () => {
    expect(workerPids({ workers: [11, 12] })).toEqual([11, 12]);
    expect(workerPids({ workers: [{ pid: 7, connections: 3 }] })).toEqual([7]);
    expect(workerPids({ status: 'ok' })).toEqual([]);
  });
});

describe('fleet plans', () => {
  it('split clients over processes of at most clientsPerProcess, with consecutive indexes and shared ramp', () => {
    const s = parseScenario(
      {
        name: 'p',
        transports: ['ws'],
        clients: 1,
        channels: 3,
        rate: 1,
        payloadBytes: 0,
        durationMs: 1000,
        rampPerSec: 3000,
        clientsPerProcess: 4,
      },
      'test',
    );
    const plans = fleetPlans(s, 'ws', 10, ['a', 'b', 'c'], [{ host: '127.0.0.1', port: 1 }]);
    expect(plans.map((p) => [p.firstIndex, p.count])).toEqual([
      [0, 4],
      [4, 3],
      [7, 3],
    ]); // prettier-ignore
    expect(plans.every((p) => p.rampPerSec === 1000 && p.settings.reconnect)).toBe(true);
  });
});
