/**
 * The `faults` scenario's injector: while the steady broadcast runs, it does
 * what the scenario's schedule says (kill -9 a server worker, reset a share
 * of the client connections from the server side, pause the publisher,
 * SIGSTOP a worker for a while), lists each in the run's events, and samples
 * the clients once a second so each fault's aftermath can be told: how many
 * dropped, how long until as many were open as before, the reconnect storm,
 * p99 during and after.
 */
import { request } from 'undici';
import type { FaultResult } from '../result/schema.js';
import type { FaultSpec } from '../scenarios/schema.js';
import { epochMs } from '../metrics/clock.js';
import { round } from '../util/round.js';
import type { FleetGroup } from './fleet-process.js';
import { childrenOf } from './process-stats.js';
import type { RunEvents } from './run-events.js';

export interface FaultContext {
  faults: readonly FaultSpec[];
  transport: string;
  baseUrl: string;
  /** The server's primary when this machine can see it (embedded, or --target-pid): its children are the workers. */
  serverPid?: number;
  secret?: string;
  events: RunEvents;
  fleets: FleetGroup;
  pausePublisher: (ms: number) => void;
}

/** One second of what the clients reported. */
export interface FaultSample {
  atMs: number;
  open: number;
  reconnects: number;
  intervalP99Us: number;
}

interface Injected {
  spec: FaultSpec;
  atMs: number;
  detail: string;
  openBefore: number;
}

/** How long after recovery the "after" p99 is read. */
const AFTER_WINDOW_MS = 3000;
/** A fault that took longer than this to inject (its admin request waited on busy workers) says when it was asked for. */
const LATE_MS = 1000;

export class FaultSchedule {
  readonly injected: Injected[] = [];
  readonly samples: FaultSample[] = [];
  #timers: NodeJS.Timeout[] = [];
  #stopped: number[] = [];
  #t0 = 0;
  #t0Epoch = 0;
  #lastReadAt = 0;

  constructor(private readonly context: FaultContext) {}

  start(): void {
    this.#t0 = performance.now();
    this.#t0Epoch = epochMs();
    // Four times a second: the client processes tick once a second each, not in step.
    this.#timers.push(setInterval(() => this.#sample(), 250));
    for (const spec of this.context.faults) {
      this.#timers.push(setTimeout(() => void this.#inject(spec), spec.at_s * 1000));
    }
  }

  /** Stops the schedule; a worker left stopped is continued, so teardown can end it. */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    for (const pid of this.#stopped.splice(0)) signal(pid, 'SIGCONT');
  }

  results(): FaultResult[] {
    return this.injected.map((fault, i) => faultFigures(fault, this.samples, this.injected[i + 1]?.atMs, this.context.transport));
  }

  /** One sample per new set of counters, timed by when the client processes read them, not when they arrived. */
  #sample(): void {
    const { fleets } = this.context;
    const readAt = fleets.latestAt();
    if (readAt === 0 || readAt === this.#lastReadAt) return;
    this.#lastReadAt = readAt;
    const counters = fleets.latest();
    this.samples.push({
      atMs: readAt - this.#t0Epoch,
      open: counters.open,
      reconnects: counters.reconnects,
      intervalP99Us: this.context.fleets.intervalP99(),
    });
  }

  async #inject(spec: FaultSpec): Promise<void> {
    const { events, transport } = this.context;
    const openBefore = this.context.fleets.latest().open;
    const askedMs = performance.now() - this.#t0;
    let detail: string;
    let injected = true;
    try {
      detail = await this.#act(spec);
    } catch (error) {
      detail = `could not inject: ${(error as Error).message}`;
      injected = false;
    }
    // The moment the fault took effect: finding a worker to kill can take a loaded server a while.
    const atMs = performance.now() - this.#t0;
    // A late answer (workers busy with a storm) leaves open when the fault itself happened: say both times.
    if (atMs - askedMs > LATE_MS)
      detail += ` (asked at ${(askedMs / 1000).toFixed(1)} s, done ${((atMs - askedMs) / 1000).toFixed(1)} s later)`;
    this.injected.push({ spec, atMs, detail, openBefore });
    // A fault the schedule asked for and that did not happen leaves the run proving less than it says: invalid.
    events.add(injected ? 'fault' : 'fault-not-injected', `${spec.action}: ${detail}`, transport);
  }

  async #act(spec: FaultSpec): Promise<string> {
    const durationMs = (spec.duration_s ?? 1) * 1000;
    switch (spec.action) {
      case 'kill-worker': {
        const pid = await this.#pickWorker();
        signal(pid, 'SIGKILL');
        return `worker ${pid} killed with SIGKILL`;
      }
      case 'stop-worker': {
        const pid = await this.#pickWorker();
        signal(pid, 'SIGSTOP');
        this.#stopped.push(pid);
        this.#timers.push(
          setTimeout(() => {
            this.#stopped = this.#stopped.filter((p) => p !== pid);
            signal(pid, 'SIGCONT');
          }, durationMs),
        );
        return `worker ${pid} stopped with SIGSTOP for ${durationMs} ms`;
      }
      case 'drop-connections': {
        const dropped = await this.#admin('/admin/drop', { share: spec.share ?? 0.1 });
        return `${dropped.dropped ?? '?'} client connections reset by the server (share ${spec.share ?? 0.1})`;
      }
      case 'pause-publisher':
        this.context.pausePublisher(durationMs);
        return `publisher paused for ${durationMs} ms (its schedule goes on)`;
    }
  }

  /**
   * A random worker of the server: the children of its primary when this
   * machine can see them, else from its /healthz. A server busy with 10,000
   * fallback sessions once left /healthz unanswered for 10 s, and the fault
   * was not injected; its process tree needs no answer from it.
   */
  async #pickWorker(): Promise<number> {
    const children = this.context.serverPid ? childrenOf(this.context.serverPid) : [];
    const pids = children.length > 0 ? children : workerPids(await this.#get('/healthz'));
    if (pids.length === 0) throw new Error('the server lists no workers in /healthz (is it running with --workers?)');
    return pids[Math.floor(Math.random() * pids.length)]!;
  }

  async #get(path: string): Promise<unknown> {
    // A loaded server answers slowly; a fault that is not injected is reported, but better injected late.
    const response = await request(`${this.context.baseUrl}${path}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    return response.body.json();
  }

  async #admin(path: string, body: unknown): Promise<{ dropped?: number }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.context.secret) headers.authorization = `Bearer ${this.context.secret}`;
    const response = await request(`${this.context.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = (await response.body.json()) as { dropped?: number; error?: string };
    if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}: ${answer.error ?? ''}`);
    return answer;
  }
}

/** Worker pids from a /healthz answer: `workers` as pids, or as objects with a pid. */
export function workerPids(health: unknown): number[] {
  const workers = (health as { workers?: unknown }).workers;
  if (!Array.isArray(workers)) return [];
  return workers
    .map((w) => (typeof w === 'number' ? w : (w as { pid?: unknown })?.pid))
    .filter((pid): pid is number => typeof pid === 'number');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already: a killed worker the primary has replaced.
  }
}

/**
 * What the clients saw after one fault, from the once-a-second samples up to
 * the next fault: the fewest open, when as many were open as before again,
 * the reconnects and their peak rate, and p99 until and after recovery.
 */
export function faultFigures(
  fault: Injected,
  samples: readonly FaultSample[],
  nextAtMs: number | undefined,
  transport: string,
): FaultResult {
  const window = samples.filter((s) => s.atMs > fault.atMs && (nextAtMs === undefined || s.atMs <= nextAtMs));
  // Counters arrive once a second: the first sample a second after the fault (or after a pause or stop
  // has run its course) is the first that can show it.
  const settled =
    fault.atMs +
    1000 +
    (fault.spec.action === 'pause-publisher' || fault.spec.action === 'stop-worker' ? (fault.spec.duration_s ?? 1) * 1000 : 0);
  const recovered = window.find((s) => s.atMs >= settled && s.open >= fault.openBefore);
  const recoveredAt = recovered?.atMs;
  const before = [...samples].reverse().find((s) => s.atMs <= fault.atMs);
  let peak = 0;
  let previous = before?.reconnects ?? window[0]?.reconnects ?? 0;
  for (const s of window) {
    peak = Math.max(peak, s.reconnects - previous);
    previous = s.reconnects;
  }
  const during = window.filter((s) => recoveredAt === undefined || s.atMs <= recoveredAt);
  const after = recoveredAt === undefined ? [] : window.filter((s) => s.atMs > recoveredAt && s.atMs <= recoveredAt + AFTER_WINDOW_MS);
  const maxP99 = (list: FaultSample[]) => round(Math.max(0, ...list.map((s) => s.intervalP99Us)) / 1000, 2);
  return {
    transport,
    action: fault.spec.action,
    at_s: round(fault.atMs / 1000, 2),
    detail: fault.detail,
    open_before: fault.openBefore,
    open_min: Math.min(fault.openBefore, ...window.map((s) => s.open)),
    recovered_s: recoveredAt === undefined ? null : round((recoveredAt - fault.atMs) / 1000, 2),
    reconnects: (window.at(-1)?.reconnects ?? previous) - (before?.reconnects ?? window[0]?.reconnects ?? 0),
    reconnects_per_s_peak: peak,
    p99_during_ms: maxP99(during),
    p99_after_ms: maxP99(after),
  };
}
