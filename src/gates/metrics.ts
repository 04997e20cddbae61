/**
 * The metric names gate expressions and `rtbench compare` understand, each
 * mapped to the run-result field(s) it reads (docs/gates.md lists them).
 * One table, so a gate, a comparison row and the docs cannot disagree about
 * what `latency.p99` means.
 */
import type { TransportResult } from '../result/schema.js';
import type { Kind } from './units.js';

/** Why a metric has no value in this result. */
export class Missing {
  constructor(readonly reason: string) {}
}

export type MetricValue = number | Missing;

export interface MetricDef {
  name: string;
  kind: Kind;
  /** Canonical unit, a key of UNITS[kind] ('' for counts). */
  unit: string;
  /** The run-result field(s) under transports.<name>, for the docs. */
  field: string;
  description: string;
  get(t: TransportResult): MetricValue;
  /** Which direction is worse, for `rtbench compare`. */
  worse: 'higher' | 'lower';
  /** exact: any worsening fails; tolerance: worse by more than --max-regression fails; info: shown only. */
  compare: 'exact' | 'tolerance' | 'info';
}

/** The talk's scale: 100,000 clients receiving one update a second. */
export const TALK_CLIENTS = 100_000;

const noDeliveries = new Missing('no updates were delivered');

function perDelivered(t: TransportResult, value: number): MetricValue {
  return t.updates.delivered > 0 ? value : noDeliveries;
}

function latency(t: TransportResult, us: number): MetricValue {
  if (t.updates.delivered === 0 || t.latency_us.count === 0) return new Missing('no latency was recorded (no updates delivered)');
  return us / 1000;
}

/** Ratio metrics are in percent, so `loss_ratio<1` and `loss_ratio<1%` agree. */
function percent(numerator: number, denominator: number, what: string): MetricValue {
  return denominator > 0 ? (numerator / denominator) * 100 : new Missing(`${what} is 0`);
}

function optional(value: number | undefined, field: string): MetricValue {
  return value === undefined ? new Missing(`${field} is not in this result`) : value;
}

const LIST: MetricDef[] = [];

/** `worse` defaults to 'higher': most figures (bytes, latency, loss) are worse when they grow. */
function metric(def: Omit<MetricDef, 'worse'> & { worse?: MetricDef['worse'] }): void {
  LIST.push({ worse: 'higher', ...def });
}

metric({
  name: 'clients.target',
  kind: 'count',
  unit: '',
  field: 'clients.target',
  description: 'simulated clients asked for',
  get: (t) => t.clients.target,
  compare: 'info',
});
metric({
  name: 'clients.open',
  kind: 'count',
  unit: '',
  field: 'clients.open',
  description: 'clients connected and subscribed',
  get: (t) => t.clients.open,
  compare: 'exact',
  worse: 'lower',
});
/** A count that must not grow from run to run (compared exactly), optional in a result. */
function exactCount(name: string, field: string, description: string, get: (t: TransportResult) => number | undefined): void {
  metric({ name, kind: 'count', unit: '', field, description, get: (t) => optional(get(t), field), compare: 'exact' });
}

exactCount('clients.failed', 'clients.failed', 'clients that never connected', (t) => t.clients.failed);
metric({
  name: 'clients.open_ratio',
  kind: 'ratio',
  unit: '%',
  field: 'clients.open / clients.target',
  description: 'share of clients that connected',
  get: (t) => percent(t.clients.open, t.clients.target, 'clients.target'),
  compare: 'info',
});
metric({
  name: 'published',
  kind: 'count',
  unit: '',
  field: 'updates.published',
  description: 'updates the publisher sent',
  get: (t) => t.updates.published,
  compare: 'info',
});
metric({
  name: 'expected',
  kind: 'count',
  unit: '',
  field: 'updates.expected',
  description: 'deliveries the subscribers were owed',
  get: (t) => t.updates.expected,
  compare: 'info',
});
metric({
  name: 'delivered',
  kind: 'count',
  unit: '',
  field: 'updates.delivered',
  description: 'deliveries received',
  get: (t) => t.updates.delivered,
  compare: 'info',
});
exactCount('lost', 'updates.lost', 'deliveries missing (seq gaps)', (t) => t.updates.lost);
exactCount('duplicated', 'updates.duplicated', 'deliveries received twice', (t) => t.updates.duplicated);
exactCount('reordered', 'updates.reordered', 'deliveries out of seq order', (t) => t.updates.reordered);
exactCount('clients.dropped', 'clients.dropped', 'clients that were open and were not at the end', (t) => t.clients.dropped);
exactCount('clients.reconnected', 'clients.reconnected', 'clients that reconnected at least once', (t) => t.clients.reconnected);
exactCount('publish.failed', 'publish.failed', 'publishes the server never acknowledged', (t) => t.publish?.failed);
exactCount('gaps', 'updates.gaps', 'gap signals: resumes older than the history', (t) => t.updates.gaps);
metric({
  name: 'loss_ratio',
  kind: 'ratio',
  unit: '%',
  field: 'updates.lost / updates.expected',
  description: 'share of owed deliveries lost',
  get: (t) => percent(t.updates.lost, t.updates.expected, 'updates.expected'),
  compare: 'info',
});
metric({
  name: 'delivery_ratio',
  kind: 'ratio',
  unit: '%',
  field: 'updates.delivered / updates.expected',
  description: 'share of owed deliveries received',
  get: (t) => percent(t.updates.delivered, t.updates.expected, 'updates.expected'),
  compare: 'info',
});
metric({
  name: 'bytes.down',
  kind: 'bytes',
  unit: 'b',
  field: 'bytes.down',
  description: 'wire bytes the clients received, whole run',
  get: (t) => t.bytes.down,
  compare: 'info',
});
metric({
  name: 'bytes.up',
  kind: 'bytes',
  unit: 'b',
  field: 'bytes.up',
  description: 'wire bytes the clients sent, whole run',
  get: (t) => t.bytes.up,
  compare: 'info',
});
metric({
  name: 'bytes.payload',
  kind: 'bytes',
  unit: 'b',
  field: 'bytes.payload',
  description: 'payload bytes of the delivered updates',
  get: (t) => t.bytes.payload,
  compare: 'info',
});
metric({
  name: 'bytes_per_update',
  kind: 'bytes',
  unit: 'b',
  field: 'bytes.per_update',
  description: 'wire bytes (down + up) per delivered update, steady phase',
  get: (t) => perDelivered(t, t.bytes.per_update),
  compare: 'exact',
});
metric({
  name: 'overhead_per_update',
  kind: 'bytes',
  unit: 'b',
  field: 'bytes.overhead_per_update',
  description: 'bytes_per_update minus the mean payload: headers, framing, polls',
  get: (t) => perDelivered(t, t.bytes.overhead_per_update),
  compare: 'exact',
});
metric({
  name: 'payload_per_update',
  kind: 'bytes',
  unit: 'b',
  field: 'bytes.per_update - bytes.overhead_per_update',
  description: 'mean payload of a delivered update',
  get: (t) => perDelivered(t, t.bytes.per_update - t.bytes.overhead_per_update),
  compare: 'info',
});
metric({
  name: 'bandwidth',
  kind: 'bitrate',
  unit: 'bps',
  field: 'bytes.per_update * rate.achieved * 8',
  description: 'wire bit rate of the steady phase',
  get: (t) => perDelivered(t, t.bytes.per_update * t.rate.achieved * 8),
  compare: 'info',
});
metric({
  name: 'talk_bandwidth',
  kind: 'bitrate',
  unit: 'bps',
  field: 'bytes.per_update * 100000 * 8',
  description: "wire bit rate at the talk's scale (100,000 clients, 1 update/s each)",
  get: (t) => perDelivered(t, t.bytes.per_update * TALK_CLIENTS * 8),
  compare: 'info',
});
const PERCENTILE_NAMES = {
  p50: '50th percentile',
  p90: '90th percentile',
  p99: '99th percentile',
  p999: '99.9th percentile',
  max: 'maximum',
} as const;
for (const key of ['p50', 'p90', 'p99', 'p999', 'max'] as const) {
  // max is one sample, too noisy to fail a comparison on.
  metric({
    name: `latency.${key}`,
    kind: 'time',
    unit: 'ms',
    field: `latency_us.${key}`,
    description: `delivery latency, ${PERCENTILE_NAMES[key]}`,
    get: (t) => latency(t, t.latency_us[key]),
    compare: key === 'max' ? 'info' : 'tolerance',
  });
}
metric({
  name: 'latency.mean',
  kind: 'time',
  unit: 'ms',
  field: 'latency_us.mean',
  description: 'delivery latency, mean',
  get: (t) => (t.latency_us.mean === undefined ? optional(undefined, 'latency_us.mean') : latency(t, t.latency_us.mean)),
  compare: 'info',
});
metric({
  name: 'rate.intended',
  kind: 'rate',
  unit: '/s',
  field: 'rate.intended',
  description: 'deliveries per second the schedule asked for',
  get: (t) => t.rate.intended,
  compare: 'info',
});
metric({
  name: 'rate.achieved',
  kind: 'rate',
  unit: '/s',
  field: 'rate.achieved',
  description: 'deliveries per second received',
  get: (t) => t.rate.achieved,
  compare: 'tolerance',
  worse: 'lower',
});
metric({
  name: 'rate.achieved_ratio',
  kind: 'ratio',
  unit: '%',
  field: 'rate.achieved / rate.intended',
  description: 'share of the intended rate achieved',
  get: (t) => percent(t.rate.achieved, t.rate.intended, 'rate.intended'),
  compare: 'info',
});
for (const side of ['server', 'clients'] as const) {
  metric({
    name: `cpu.${side}`,
    kind: 'time',
    unit: 's',
    field: `processes.${side}.cpu_s`,
    description: `CPU seconds of the ${side === 'server' ? 'server processes' : 'client fleet'}, whole run`,
    get: (t) => t.processes[side].cpu_s,
    compare: 'info',
  });
  metric({
    name: `cpu.${side}_per_update`,
    kind: 'time',
    unit: 'us',
    field: `processes.${side}.cpu_us_per_update`,
    description: `${side === 'server' ? 'server' : 'client'} CPU per delivered update, steady phase`,
    get: (t) => optional(t.processes[side].cpu_us_per_update, `processes.${side}.cpu_us_per_update`),
    compare: 'tolerance',
  });
  metric({
    name: `rss.${side}`,
    kind: 'bytes',
    unit: 'mb',
    field: `processes.${side}.rss_peak_mb`,
    description: `peak resident memory of the ${side === 'server' ? 'server processes' : 'client fleet'}`,
    get: (t) => t.processes[side].rss_peak_mb,
    compare: 'info',
  });
}

export const METRICS: ReadonlyMap<string, MetricDef> = new Map(LIST.map((def) => [def.name, def]));

/** Families a k6-style `target: aggregator` expression may name, and their aggregators. */
export const TREND_AGGREGATORS: Record<string, Record<string, string>> = {
  latency: { med: 'latency.p50', avg: 'latency.mean', mean: 'latency.mean', max: 'latency.max' },
};

/** `p(N)` percentiles the run records. */
export const PERCENTILES: Record<string, string> = {
  '50': 'latency.p50',
  '90': 'latency.p90',
  '99': 'latency.p99',
  '99.9': 'latency.p999',
};
