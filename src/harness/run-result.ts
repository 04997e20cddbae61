/**
 * The run result as `rtbench run` writes it (schema `rtbench.run/1`, see
 * DESIGN.md and docs/run-schema.md). Reports, gates and CI read only this.
 */
export const RUN_SCHEMA = 'rtbench.run/1';

export interface TransportResult {
  /** connecting: still opening when the ramp deadline passed (a saturated server). */
  clients: { target: number; open: number; failed: number; connecting: number; reconnects: number; processes: number };
  updates: { published: number; expected: number; delivered: number; lost: number; duplicated: number; reordered: number };
  bytes: {
    down: number;
    up: number;
    payload: number;
    per_update: number;
    overhead_per_update: number;
    steady: { down: number; up: number; delivered: number; payload: number };
  };
  latency_us: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number; count: number; method: 'publish-ts' | 'echo-rtt' };
  rate: {
    /** Updates per second the clients should receive (clients x rate). */
    intended: number;
    achieved: number;
    publish_intended: number;
    publish_achieved: number;
    polls_intended?: number;
    polls_achieved?: number;
    saturated: boolean;
  };
  processes: {
    server: ProcessFigures & { workers: number };
    clients: ProcessFigures;
  };
  phases_s: { ramp: number; steady: number; drain: number; teardown: number };
  errors: string[];
}

export interface ProcessFigures {
  /** CPU seconds over the whole run, and split into user and kernel time. */
  cpu_s: number;
  cpu_user_s: number;
  cpu_system_s: number;
  /** CPU seconds of the steady phase (publisher running, plus drain). */
  steady_cpu_s: number;
  /** steady_cpu_s per delivered update, in microseconds. */
  cpu_us_per_update: number;
  rss_peak_mb: number;
}

export interface TimelinePoint {
  t_s: number;
  transport: string;
  open: number;
  delivered_per_s: number;
}

export interface CapacityStep {
  clients: number;
  open: number;
  failed: number;
  lost: number;
  p99_ms: number;
  achieved: number;
  intended: number;
  pass: boolean;
  /** Why the step failed, when it did. */
  reason?: string;
}

export interface CapacityResult {
  slo_p99_ms: number;
  /** The most clients of a passing step (0 if none passed). */
  max_clients: number;
  clients_per_core: number;
  steps: CapacityStep[];
}

export interface RunResult {
  schema: typeof RUN_SCHEMA;
  scenario: string;
  started_at: string;
  duration_s: number;
  machine: { cpus: number; cpu_model: string; memory_gb: number; node: string; platform: string; release: string };
  config: Record<string, unknown>;
  target: string;
  transports: Record<string, TransportResult>;
  timeline: TimelinePoint[];
  /** Capacity scenarios only: the search per transport. */
  capacity?: Record<string, CapacityResult>;
  gates: { expr: string; value: number; limit?: number; pass: boolean }[];
}
