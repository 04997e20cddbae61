/**
 * The run result, `rtbench.run/1`: the one contract between the harness that
 * writes it and everything that reads it (reports, gates, compare, CI). This
 * zod schema is its only definition: the TypeScript types below are derived
 * from it, and docs/run-schema.json (JSON Schema, for other languages) is
 * generated from it by `npm run schema`. docs/run-schema.md documents every
 * field. The core fields (docs/architecture.md) are required; the harness's
 * extra detail is optional, so another producer can write the minimum, and
 * unknown fields are accepted (and dropped) so that adding a field does not
 * need a new version. Changing or removing one does.
 */
import { z } from 'zod';
import { TRANSPORT_NAME, TRANSPORT_NAME_RULE } from './transport-name.js';

export { TRANSPORT_NAME } from './transport-name.js';

export const RUN_SCHEMA_ID = 'rtbench.run/1';

const count = z.number().int().nonnegative();
const amount = z.number().nonnegative();

/** Transport names are what gate expressions reference (`short-poll.lost`, `sse+h2.lost`). */
const transportName = z.string().regex(TRANSPORT_NAME, TRANSPORT_NAME_RULE);

const processFigures = z.object({
  /** CPU seconds over the whole run, and split into user and kernel time. */
  cpu_s: amount,
  rss_peak_mb: amount,
  cpu_user_s: amount.optional(),
  cpu_system_s: amount.optional(),
  /** CPU seconds of the steady phase (publisher running, plus drain). */
  steady_cpu_s: amount.optional(),
  /** steady_cpu_s per delivered update, in microseconds. */
  cpu_us_per_update: amount.optional(),
  workers: count.optional(),
});

/** What one load agent's client processes did (`rtbench run --agents N`); the transport's figures are their sum. */
export const agentShareSchema = z.object({
  /** The agent's --name (its host name by default). */
  name: z.string(),
  host: z.string().optional(),
  /** The addresses its clients connected from, when it was given some (--source-address). */
  source_addresses: z.array(z.string()).optional(),
  processes: count,
  clients: z.object({ target: count, open: count, failed: count, dropped: count }),
  updates: z.object({ expected: count, delivered: count, lost: count, duplicated: count, reordered: count }),
  bytes: z.object({ down: count, up: count, payload: count }),
  latency_us: z.object({ p50: amount, p90: amount, p99: amount, p999: amount, max: amount, count }),
  /** Its delivery latencies, an HdrHistogram compressed and base64-encoded: the transport's histogram is the merge of these. */
  latency_hdr: z.string(),
  /** True when the agent stopped answering during the run (its figures then end where it did). */
  vanished: z.boolean(),
});

export const transportResultSchema = z.object({
  clients: z.object({
    target: count,
    open: count,
    failed: count,
    /** Still opening when the ramp deadline passed (a saturated server). */
    connecting: count.optional(),
    /** Reconnections, all clients together. */
    reconnects: count.optional(),
    /**
     * New attempts of first opens that failed, all clients together (a
     * session closed before it was joined, an HTTP error, an attempt not
     * answered): the fallback and socketio clients retry their first open
     * as socket.io-client does. Not reconnects: those are of open clients.
     */
    open_retries: count.optional(),
    /** Clients that reconnected at least once. */
    reconnected: count.optional(),
    /** Clients that were open once and were not at the end: dropped and never back (or their process died). */
    dropped: count.optional(),
    processes: count.optional(),
  }),
  updates: z.object({
    published: count,
    expected: count,
    delivered: count,
    lost: count,
    duplicated: count,
    reordered: count,
    /** Gap signals: the server said the updates between a client's cursor and its history were gone. */
    gaps: count.optional(),
    /** Updates inside signalled gaps: missed, but said so (not in `lost`). */
    gap_updates: count.optional(),
  }),
  /** The publisher's side: attempted, acknowledged with a seq, and given up on (counted as lost for their subscribers). */
  publish: z.object({ attempted: count, accepted: count, failed: count, retried: count.optional() }).optional(),
  bytes: z.object({
    down: count,
    up: count,
    payload: count,
    per_update: amount,
    /** per_update minus the mean payload (the envelope as delivered); below 0 when compression (ws+deflate, gzip) puts fewer bytes on the wire than it delivers. */
    overhead_per_update: z.number(),
    steady: z.object({ down: count, up: count, delivered: count, payload: count }).optional(),
  }),
  latency_us: z.object({
    p50: amount,
    p90: amount,
    p99: amount,
    p999: amount,
    max: amount,
    mean: amount.optional(),
    count: count.optional(),
    method: z.enum(['publish-ts', 'echo-rtt']).optional(),
  }),
  rate: z.object({
    /** Updates per second the clients should receive (clients x rate). */
    intended: amount,
    achieved: amount,
    publish_intended: amount.optional(),
    publish_achieved: amount.optional(),
    polls_intended: amount.optional(),
    polls_achieved: amount.optional(),
    saturated: z.boolean().optional(),
  }),
  processes: z.object({ server: processFigures, clients: processFigures }),
  phases_s: z.object({ ramp: amount, steady: amount, drain: amount, teardown: amount }).optional(),
  errors: z.array(z.string()).optional(),
  /** Split over load agents: what each one's clients did. */
  agents: z.array(agentShareSchema).optional(),
});

export const timelinePointSchema = z.object({
  t_s: amount,
  transport: transportName,
  open: count,
  delivered_per_s: amount,
});

export const gateResultSchema = z.object({
  expr: z.string(),
  /** null when the gate could not be evaluated (see `error`). */
  value: z.number().nullable(),
  limit: z.number().optional(),
  op: z.enum(['<', '<=', '>', '>=', '==', '!=']).optional(),
  pass: z.boolean(),
  transport: transportName.optional(),
  unit: z.string().optional(),
  error: z.string().optional(),
});

/** Something that happened to the run: a process died, the server logged, a fault was injected, the run was stopped. */
export const runEventSchema = z.object({
  /** Seconds since the run started. */
  t_s: amount,
  transport: transportName.optional(),
  kind: z.string().min(1),
  message: z.string(),
});

/** One injected fault of a `faults` scenario and what the clients saw. */
export const faultResultSchema = z.object({
  transport: transportName,
  action: z.string(),
  /** Seconds into the steady phase. */
  at_s: amount,
  detail: z.string(),
  /** Clients open just before the fault. */
  open_before: count,
  /** Fewest clients open after it. */
  open_min: count,
  /** Seconds until as many clients were open as before (null: not within the run). */
  recovered_s: amount.nullable(),
  reconnects: count,
  /** Peak reconnects per second in the storm that followed. */
  reconnects_per_s_peak: amount,
  /** Highest per-second p99 delivery latency until recovery, and in the seconds after it. */
  p99_during_ms: amount,
  p99_after_ms: amount,
});

const capacityStepSchema = z.object({
  clients: count,
  open: count,
  failed: count,
  lost: count,
  p99_ms: amount,
  achieved: amount,
  intended: amount,
  pass: z.boolean(),
  /** Why the step failed, when it did. */
  reason: z.string().optional(),
});

/** Short polling's request-rate ceiling, measured by autocannon on the same poll URL and headers (capacity runs of short-poll). */
const pollCeilingSchema = z.object({
  tool: z.literal('autocannon'),
  version: z.string(),
  /** The poll's path and query, e.g. /poll?channel=ch0&cursor=0. */
  path: z.string(),
  /** The header profile the polls sent. */
  headers: z.string(),
  connections: count,
  duration_s: amount,
  /** Polls answered (2xx, and 304 for conditional polls). */
  polls: count,
  polls_per_s: amount,
  p50_ms: amount,
  p99_ms: amount,
  max_ms: amount,
  /** Connection errors and timeouts, and answers other than 2xx/304. */
  errors: count,
  non_2xx: count,
  poll_interval_ms: amount,
  /** Clients that rate serves at that interval: polls_per_s x poll_interval_ms / 1000, rounded down. */
  clients_at_interval: count,
});

const capacitySchema = z.object({
  slo_p99_ms: amount,
  /** The most clients of a passing step (0 if none passed). */
  max_clients: count,
  clients_per_core: amount,
  steps: z.array(capacityStepSchema),
  poll_ceiling: pollCeilingSchema.optional(),
});

export const runResultSchema = z.object({
  schema: z.literal(RUN_SCHEMA_ID, {
    error: (issue) => `unsupported schema ${JSON.stringify(issue.input)}; this rtbench reads "${RUN_SCHEMA_ID}"`,
  }),
  scenario: z.string().min(1),
  started_at: z.iso.datetime({ offset: true }).optional(),
  duration_s: amount.optional(),
  machine: z.object({
    cpus: count.optional(),
    cpu_model: z.string().optional(),
    memory_gb: amount.optional(),
    node: z.string().optional(),
    platform: z.string().optional(),
    release: z.string().optional(),
  }),
  config: z.record(z.string(), z.unknown()),
  target: z.string().optional(),
  transports: z
    .record(transportName, transportResultSchema)
    .refine((transports) => Object.keys(transports).length > 0, 'a run result needs at least one transport'),
  timeline: z.array(timelinePointSchema).optional(),
  capacity: z.record(transportName, capacitySchema).optional(),
  gates: z.array(gateResultSchema).default([]),
  /**
   * ok: the run did what was asked; invalid: it cannot be trusted (see
   * problems); aborted: stopped by a signal, the figures are partial.
   */
  status: z.enum(['ok', 'invalid', 'aborted']).optional(),
  /** Why the run is invalid or aborted, one sentence each. */
  problems: z.array(z.string()).optional(),
  events: z.array(runEventSchema).optional(),
  /** Events left out beyond the bound on `events`. */
  events_omitted: count.optional(),
  faults: z.array(faultResultSchema).optional(),
});

export type RunResult = z.output<typeof runResultSchema>;
export type TransportResult = z.output<typeof transportResultSchema>;
export type TimelinePoint = z.output<typeof timelinePointSchema>;
export type GateResult = z.output<typeof gateResultSchema>;
export type CapacityResult = z.output<typeof capacitySchema>;
export type CapacityStep = z.output<typeof capacityStepSchema>;
export type PollCeiling = z.output<typeof pollCeilingSchema>;
export type ProcessFigures = z.output<typeof processFigures>;
export type RunEvent = z.output<typeof runEventSchema>;
export type FaultResult = z.output<typeof faultResultSchema>;
export type AgentShare = z.output<typeof agentShareSchema>;

export class RunResultError extends Error {
  readonly code = 'RTB_ERR_RUN_RESULT';
}

/** Validates a parsed JSON value; the error names every bad field by its path. */
export function parseRunResult(input: unknown, source: string): RunResult {
  const parsed = runResultSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 12).map((issue) => `  ${fieldPath(issue.path) || '(root)'}: ${issue.message}`);
  const more = parsed.error.issues.length > 12 ? `\n  ... and ${parsed.error.issues.length - 12} more` : '';
  throw new RunResultError(`${source} is not a valid ${RUN_SCHEMA_ID} run result:\n${problems.join('\n')}${more}`);
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}
