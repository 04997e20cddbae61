/**
 * Two runs, metric by metric, per transport. Byte figures are deterministic
 * for a given scenario, so any increase is a regression; latency, CPU and
 * rates vary from run to run and may worsen by up to `maxRegression` (a
 * fraction: 0.1 = 10%) before they count. Which metric is compared how is
 * set in metrics.ts (`compare`, `worse`).
 */
import type { RunResult } from '../result/schema.js';
import { METRICS, Missing, type MetricDef } from './metrics.js';

export interface CompareOptions {
  maxRegression: number;
}

export type CompareStatus = 'ok' | 'improved' | 'regressed' | 'n/a';

export interface ComparisonRow {
  transport: string;
  /** A metric name, or `transport` for a transport missing from one run. */
  metric: string;
  unit: string;
  rule: 'exact' | 'tolerance' | 'presence';
  base: number | null;
  head: number | null;
  /** (head - base) / base; null when base is 0 or a side is missing. */
  change: number | null;
  status: CompareStatus;
  note?: string;
}

export interface Comparison {
  base: { scenario: string; started_at?: string };
  head: { scenario: string; started_at?: string };
  max_regression: number;
  rows: ComparisonRow[];
  regressions: ComparisonRow[];
}

const COMPARED: MetricDef[] = [...METRICS.values()].filter((metric) => metric.compare !== 'info');

export function compareRuns(base: RunResult, head: RunResult, options: CompareOptions): Comparison {
  if (!(options.maxRegression >= 0)) throw new RangeError(`maxRegression must be >= 0, got ${options.maxRegression}`);
  const rows: ComparisonRow[] = [];
  const names = [...new Set([...Object.keys(base.transports), ...Object.keys(head.transports)])];
  for (const transport of names) {
    const b = base.transports[transport];
    const h = head.transports[transport];
    if (!b || !h) {
      rows.push({
        transport,
        metric: 'transport',
        unit: '',
        rule: 'presence',
        base: null,
        head: null,
        change: null,
        // A transport that stopped being measured is a regression; a new one is not.
        status: b ? 'regressed' : 'n/a',
        note: b ? 'missing in head' : 'new in head',
      });
      continue;
    }
    for (const metric of COMPARED) rows.push(compareMetric(transport, metric, metric.get(b), metric.get(h), options.maxRegression));
  }
  return {
    base: { scenario: base.scenario, started_at: base.started_at },
    head: { scenario: head.scenario, started_at: head.started_at },
    max_regression: options.maxRegression,
    rows,
    regressions: rows.filter((row) => row.status === 'regressed'),
  };
}

function compareMetric(
  transport: string,
  metric: MetricDef,
  base: number | Missing,
  head: number | Missing,
  tolerance: number,
): ComparisonRow {
  const row: ComparisonRow = {
    transport,
    metric: metric.name,
    unit: metric.unit,
    rule: metric.compare === 'exact' ? 'exact' : 'tolerance',
    base: base instanceof Missing ? null : base,
    head: head instanceof Missing ? null : head,
    change: null,
    status: 'n/a',
  };
  if (base instanceof Missing || head instanceof Missing) {
    row.note = `${base instanceof Missing ? `base: ${base.reason}` : ''}${base instanceof Missing && head instanceof Missing ? '; ' : ''}${head instanceof Missing ? `head: ${head.reason}` : ''}`;
    return row;
  }
  const delta = head - base;
  if (base !== 0) row.change = delta / base;
  // Signed so that > 0 is always the bad direction.
  const worsening = metric.worse === 'higher' ? delta : -delta;
  if (worsening === 0) {
    row.status = 'ok';
  } else if (metric.compare === 'exact') {
    row.status = worsening > 0 ? 'regressed' : 'improved';
  } else {
    const relative = base === 0 ? Infinity : Math.abs(delta / base);
    row.status = relative <= tolerance ? 'ok' : worsening > 0 ? 'regressed' : 'improved';
  }
  return row;
}
