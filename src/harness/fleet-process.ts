/**
 * The parent side of the client processes: one FleetProcess per child (its
 * IPC, its latest counters, its exit), and FleetGroup, all of them as one
 * (start a ramp, take a named mark across every process, collect the finals).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FleetCounters, FleetFinal, FleetPlan, FromFleet, MarkName, ToFleet } from './fleet-protocol.js';
import { sumCounters } from './transport-result.js';

const FLEET_ENTRY = fileURLToPath(new URL('./fleet-main.js', import.meta.url));

/** How long a process may take to answer a mark before it counts as hung. */
const MARK_TIMEOUT_MS = 30_000;
const FINAL_TIMEOUT_MS = 60_000;

export class FleetProcess {
  readonly child: ChildProcess;
  counters: FleetCounters | undefined;
  p99 = 0;
  /** Why the process ended, once it has (noticed at once, not when next asked). */
  ended: string | undefined;
  #waiters = new Map<string, (message: FromFleet) => void>();
  #error: string | undefined;

  constructor() {
    // A small young generation: at 15,000 connections per process the default
    // semi-spaces cost more memory than the connections themselves.
    this.child = fork(FLEET_ENTRY, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=2048', '--max-semi-space-size=2'],
    });
    this.child.on('message', (message: FromFleet) => this.#receive(message));
    // 'close' comes after the IPC channel is drained; 'exit' can overtake the last messages.
    this.child.once('close', (code: number | null, signal: string | null) => {
      this.ended = `client process ${this.child.pid} exited (${signal ?? code})${this.#error ? `: ${this.#error}` : ''}`;
      for (const [key, waiter] of this.#waiters) {
        this.#waiters.delete(key);
        waiter({ type: 'error', message: `${this.ended} before ${key}` });
      }
    });
  }

  #receive(message: FromFleet): void {
    if (message.type === 'tick') {
      this.counters = message.counters;
      this.p99 = message.p99;
    }
    if (message.type === 'error') this.#error = message.message;
    const key = message.type === 'mark' ? `mark:${message.name}` : message.type;
    // An error answers whatever the parent was waiting for.
    const waiter = this.#waiters.get(key) ?? (message.type === 'error' ? [...this.#waiters.values()][0] : undefined);
    if (!waiter) return;
    this.#waiters.delete(key);
    waiter(message);
  }

  send(message: ToFleet): void {
    if (this.child.connected) this.child.send(message);
  }

  /** The next message of a kind (`ramped`, `final`, `mark:NAME`); rejects on an error, an exit or the timeout. */
  next(key: string, timeoutMs: number): Promise<FromFleet> {
    if (this.ended) return Promise.reject(new Error(`${this.ended} before ${key}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`client process ${this.child.pid}: no ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(key, (message) => {
        clearTimeout(timer);
        if (message.type === 'error')
          reject(
            new Error(
              message.message.startsWith('client process') ? message.message : `client process ${this.child.pid}: ${message.message}`,
            ),
          );
        else resolve(message);
      });
    });
  }

  /**
   * Waits for the ramp; past the deadline the fleet is told to stop opening
   * and report, so a saturated server yields a result (with clients still
   * connecting) instead of an error.
   */
  async rampedBy(deadlineMs: number): Promise<void> {
    const timer = setTimeout(() => this.send({ type: 'end-ramp' }), deadlineMs);
    try {
      await this.next('ramped', deadlineMs + 60_000);
    } finally {
      clearTimeout(timer);
    }
  }

  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return once(this.child, 'exit').then(() => {});
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

export class FleetGroup {
  readonly fleets: FleetProcess[];

  constructor(count: number) {
    this.fleets = Array.from({ length: count }, () => new FleetProcess());
  }

  /** Sends each process its plan; resolves when every one has ramped (or reached its deadline). */
  ramp(plans: FleetPlan[], deadlineMs: (plan: FleetPlan) => number): Promise<void> {
    return Promise.all(
      this.fleets.map((fleet, i) => {
        const plan = plans[i]!;
        fleet.send({ type: 'start', plan });
        return fleet.rampedBy(deadlineMs(plan));
      }),
    ).then(() => {});
  }

  broadcast(message: ToFleet): void {
    for (const fleet of this.fleets) fleet.send(message);
  }

  /** The latest counters each process sent on its own (once a second). */
  latest(): FleetCounters {
    return sumCounters(this.fleets.flatMap((fleet) => (fleet.counters ? [fleet.counters] : [])));
  }

  /** The highest p99 any process has seen so far (for progress only; the result merges histograms). */
  p99(): number {
    return Math.max(0, ...this.fleets.map((fleet) => fleet.p99));
  }

  /** Every process's counters at this moment, asked for and summed. */
  async mark(name: MarkName): Promise<FleetCounters> {
    const marks = await Promise.all(
      this.fleets.map(async (fleet) => {
        fleet.send({ type: 'mark', name });
        const message = (await fleet.next(`mark:${name}`, MARK_TIMEOUT_MS)) as Extract<FromFleet, { type: 'mark' }>;
        fleet.counters = message.counters;
        return message.counters;
      }),
    );
    return sumCounters(marks);
  }

  /** Closes every client, settles each process's books against the heads, and waits for the processes to exit. */
  async finish(heads: Record<string, number>): Promise<FleetFinal[]> {
    const finals = await Promise.all(
      this.fleets.map(async (fleet) => {
        fleet.send({ type: 'finish', heads });
        const message = await fleet.next('final', FINAL_TIMEOUT_MS);
        return (message as Extract<FromFleet, { type: 'final' }>).result;
      }),
    );
    await Promise.all(this.fleets.map((fleet) => fleet.exited()));
    return finals;
  }

  async kill(): Promise<void> {
    await Promise.all(this.fleets.map((fleet) => fleet.kill()));
  }
}
