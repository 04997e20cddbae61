/** The capacity search as table rows (every report format) and as a chart of p99 against clients (HTML). */
import type { RunResult } from '../result/schema.js';
import { lineChart } from './charts/line-chart.js';
import { MODEL_COLOR, transportColor } from './charts/svg.js';
import { formatNumber } from './format.js';
import type { Align } from './tables.js';

export const CAPACITY_HEADER = ['transport', 'max clients', 'clients/core', 'p99 limit ms'];
export const CAPACITY_STEP_HEADER = ['transport', 'clients', 'open', 'failed', 'lost', 'p99 ms', 'updates/s achieved/intended', 'result'];

/** The step table's text columns: the transport and the verdict. */
export const STEP_ALIGN: Align[] = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'];

export function capacityRows(result: RunResult): string[][] {
  return Object.entries(result.capacity ?? {}).map(([name, c]) => [
    name,
    formatNumber(c.max_clients),
    formatNumber(c.clients_per_core),
    formatNumber(c.slo_p99_ms, 1),
  ]);
}

export function capacityStepRows(result: RunResult): string[][] {
  return Object.entries(result.capacity ?? {}).flatMap(([name, c]) =>
    c.steps.map((step) => [
      name,
      formatNumber(step.clients),
      formatNumber(step.open),
      formatNumber(step.failed),
      formatNumber(step.lost),
      formatNumber(step.p99_ms, 1),
      `${formatNumber(step.achieved, 1)}/${formatNumber(step.intended, 1)}`,
      step.pass ? 'pass' : `FAIL: ${step.reason ?? 'over the SLO'}`,
    ]),
  );
}

export const POLL_CEILING_HEADER = [
  'transport',
  'autocannon polls/s',
  'p50 ms',
  'p99 ms',
  'connections',
  'poll interval ms',
  'clients at that interval',
  'open-model max clients',
];

/** Short polling's request-rate ceiling (autocannon) beside the open-model search's answer; no rows when none was measured. */
export function pollCeilingRows(result: RunResult): string[][] {
  return Object.entries(result.capacity ?? {}).flatMap(([name, c]) => {
    const p = c.poll_ceiling;
    if (!p) return [];
    return [
      [
        name,
        formatNumber(p.polls_per_s, 1),
        formatNumber(p.p50_ms, 1),
        formatNumber(p.p99_ms, 1),
        formatNumber(p.connections),
        formatNumber(p.poll_interval_ms),
        formatNumber(p.clients_at_interval),
        formatNumber(c.max_clients),
      ],
    ];
  });
}

/** p99 per step, one line per transport, and the SLO as a grey line across: where a line crosses it is the capacity. */
export function capacityChartSvg(result: RunResult): string | undefined {
  const entries = Object.entries(result.capacity ?? {}).filter(([, c]) => c.steps.length > 0);
  if (entries.length === 0) return undefined;
  const allClients = entries.flatMap(([, c]) => c.steps.map((step) => step.clients));
  const slo = entries[0]![1].slo_p99_ms;
  const series = entries.map(([name, c], index) => ({
    name,
    color: transportColor(name, index),
    points: c.steps.map((step): [number, number] => [step.clients, step.p99_ms]),
  }));
  series.push({
    name: `p99 limit ${formatNumber(slo)} ms`,
    color: MODEL_COLOR,
    points: [
      [0, slo],
      [Math.max(...allClients), slo],
    ],
  });
  return lineChart({
    id: 'capacity',
    title: 'Capacity search: p99 latency at each step',
    series,
    xLabel: 'simulated clients',
    yLabel: 'p99 ms',
    formatY: (v) => formatNumber(v),
  });
}
