/** Run-to-run comparison: bytes exactly, times and rates within the tolerance. */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../src/gates/compare.js';
import { describeRegression } from '../../../src/report/gate-text.js';
import { smokeRun } from '../../helpers/run-fixture.js';

const base = smokeRun();
const options = { maxRegression: 0.1 };

function regressions(edit: (json: Record<string, any>) => void, maxRegression = 0.1): string[] {
  const comparison = compareRuns(base, smokeRun(edit), { maxRegression });
  return comparison.regressions.map((row) => describeRegression(row, maxRegression));
}

describe('compareRuns', () => {
  it('finds nothing between a run and itself', () => {
    const comparison = compareRuns(base, smokeRun(), options);
    expect(comparison.regressions).toEqual([]);
    expect(comparison.rows.length).toBe(5 * 18);
    // The fixture predates the fault counters: those rows are n/a, never a regression.
    const faultCounters = ['clients.dropped', 'clients.reconnected', 'publish.failed', 'gaps'];
    const known = comparison.rows.filter((row) => !faultCounters.includes(row.metric));
    expect(new Set(known.map((row) => row.status))).toEqual(new Set(['ok']));
    expect(new Set(comparison.rows.filter((row) => faultCounters.includes(row.metric)).map((row) => row.status))).toEqual(new Set(['n/a']));
  });

  it('fails any increase in bytes per update, however small', () => {
    expect(
      regressions((json) => {
        json.transports.ws.bytes.per_update = 143.01;
      }),
    ).toEqual(['ws bytes_per_update: 143 B -> 143.01 B (+0.007%; any worsening fails)']);
  });

  it('lets latency worsen within the tolerance, not beyond', () => {
    const within = (json: Record<string, any>) => {
      json.transports.sse.latency_us.p99 = 9000; // +9.6%
    };
    expect(regressions(within)).toEqual([]);
    expect(regressions(within, 0.05)).toEqual(['sse latency.p99: 8.215 ms -> 9 ms (+9.6%; limit ±5%)']);
  });

  it('treats a lower achieved rate as worse and a faster p50 as an improvement', () => {
    const comparison = compareRuns(
      base,
      smokeRun((json) => {
        json.transports.ws.rate.achieved = 100;
        json.transports.ws.latency_us.p50 = 1000;
      }),
      options,
    );
    const ws = (metric: string) => comparison.rows.find((row) => row.transport === 'ws' && row.metric === metric)!;
    expect(ws('rate.achieved')).toMatchObject({ status: 'regressed', base: 164.8, head: 100 });
    expect(ws('latency.p50')).toMatchObject({ status: 'improved' });
    expect(comparison.regressions).toHaveLength(1);
  });

  it('counts lost updates from zero and a transport that disappeared', () => {
    expect(
      regressions((json) => {
        json.transports.ws.updates.lost = 2;
        delete json.transports.fallback;
      }),
    ).toEqual(['fallback: missing in head', 'ws lost: 0 -> 2 (from 0; any worsening fails)']);
  });

  it('does not compare per-update figures of a transport that delivered nothing', () => {
    const comparison = compareRuns(
      base,
      smokeRun((json) => {
        json.transports.fallback.updates.delivered = 0;
        json.transports.fallback.clients.open = 0;
        json.transports.fallback.clients.failed = 40;
      }),
      options,
    );
    const fallback = comparison.rows.filter((row) => row.transport === 'fallback');
    expect(fallback.find((row) => row.metric === 'bytes_per_update')).toMatchObject({
      status: 'n/a',
      note: 'head: no updates were delivered',
    });
    expect(comparison.regressions.map((row) => `${row.transport} ${row.metric}`)).toEqual([
      'fallback clients.open',
      'fallback clients.failed',
    ]);
  });
});
