/**
 * The run's figures as Prometheus text (`GET /metrics` of the --ui server),
 * so a Prometheus/Grafana that scrapes it follows the run live: per
 * transport the clients, the updates/s achieved and intended, the p99, the
 * phase; the run's events by kind; and once the run is over, the final
 * figures of each transport (bytes per update, delivered, lost).
 */
import type { RunState } from './run-state.js';

type Labels = Record<string, string>;
interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  values: [Labels, number][];
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsText(state: RunState): string {
  const latest = [...state.latest.values()];
  const per = (pick: (s: (typeof latest)[number]) => number | null): [Labels, number][] =>
    latest.flatMap((s) => {
      const value = pick(s);
      return value === null ? [] : [[{ transport: s.transport }, value] as [Labels, number]];
    });
  const metrics: Metric[] = [
    { name: 'rtbench_run_clients_open', help: 'Simulated clients connected.', type: 'gauge', values: per((s) => s.open) },
    { name: 'rtbench_run_clients_target', help: 'Simulated clients asked for.', type: 'gauge', values: per((s) => s.target) },
    { name: 'rtbench_run_clients_failed', help: 'Simulated clients that could not connect.', type: 'gauge', values: per((s) => s.failed) },
    {
      name: 'rtbench_run_updates_per_second',
      help: 'Updates delivered in the last second.',
      type: 'gauge',
      values: per((s) => s.achieved),
    },
    {
      name: 'rtbench_run_updates_intended_per_second',
      help: 'Updates per second the schedule asks for (steady phase).',
      type: 'gauge',
      values: per((s) => s.intended),
    },
    {
      name: 'rtbench_run_latency_p99_seconds',
      help: 'Highest p99 delivery latency seen so far.',
      type: 'gauge',
      values: per((s) => s.p99Ms / 1000),
    },
    {
      name: 'rtbench_run_phase',
      help: 'The phase each transport is in (1 for the current one).',
      type: 'gauge',
      values: latest.map((s) => [{ transport: s.transport, phase: s.phase }, 1]),
    },
    {
      name: 'rtbench_run_events_total',
      help: 'Events of the run (faults, refused connections, exits) by kind.',
      type: 'counter',
      values: [...state.eventCounts].map(([kind, count]) => [{ kind }, count]),
    },
    { name: 'rtbench_run_done', help: '1 once the run is over.', type: 'gauge', values: [[{}, state.result ? 1 : 0]] },
    ...finalMetrics(state),
  ];
  return metrics.map(render).join('');
}

function finalMetrics(state: RunState): Metric[] {
  const transports = Object.entries(state.result?.transports ?? {});
  if (transports.length === 0) return [];
  const each = (pick: (t: (typeof transports)[number][1]) => number): [Labels, number][] =>
    transports.map(([transport, result]) => [{ transport }, pick(result)]);
  return [
    {
      name: 'rtbench_run_bytes_per_update',
      help: 'Wire bytes per delivered update (steady phase).',
      type: 'gauge',
      values: each((t) => t.bytes.per_update),
    },
    {
      name: 'rtbench_run_updates_delivered',
      help: 'Updates delivered in the run.',
      type: 'gauge',
      values: each((t) => t.updates.delivered),
    },
    { name: 'rtbench_run_updates_lost', help: 'Updates lost in the run.', type: 'gauge', values: each((t) => t.updates.lost) },
  ];
}

function render(metric: Metric): string {
  let text = `# HELP ${metric.name} ${metric.help}\n# TYPE ${metric.name} ${metric.type}\n`;
  for (const [labels, value] of metric.values) text += `${metric.name}${labelText(labels)} ${Number.isFinite(value) ? value : 'NaN'}\n`;
  return text;
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return '';
  const escaped = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${pairs.map(([name, value]) => `${name}="${escaped(value)}"`).join(',')}}`;
}
