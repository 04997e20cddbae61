/**
 * The parent side of the client processes: one FleetProcess per child (its
 * IPC, its latest counters, its exit), and FleetGroup, all of them as one
 * (start a ramp, take a named mark across every process, collect the finals).
 * A FleetProcess reaches its child through a FleetChannel: a process forked
 * here, or one a load agent runs on another machine (src/agents/).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FleetCounters, FleetFinal, FleetPlan, FromFleet, MarkName, Owed, ToFleet } from './fleet-protocol.js';
import { sumCounters } from './transport-result.js';

const FLEET_ENTRY = fileURLToPath(new URL('./fleet-main.js', import.meta.url));

/** How long a process may take to answer a mark before it counts as hung. */
const MARK_TIMEOUT_MS = 30_000;
const FINAL_TIMEOUT_MS = 60_000;

/** How the parent reaches one client process; the messages are fleet-protocol.ts's either way. */
export interface FleetChannel {
  /** How messages name the process: `client process 1234`. */
  readonly label: string;
  send(message: ToFleet): void;
  onMessage(listener: (message: FromFleet) => void): void;
  /** Called once, after the last message: how the process ended (exit code or signal, or why it is out of reach). */
  onClose(listener: (how: string) => void): void;
  /** True once the process has exited (or is out of reach). */
  readonly gone: boolean;
  /** Ends the process at once (SIGKILL); resolves when it has exited. */
  kill(): Promise<void>;
  exited(): Promise<void>;
}

/** A client process forked by this one, over its IPC channel. */
export class ForkedFleet implements FleetChannel {
  readonly child: ChildProcess;

  constructor() {
    // A small young generation: at 15,000 connections per process the default
    // semi-spaces cost more memory than the connections themselves.
    this.child = fork(FLEET_ENTRY, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=2048', '--max-semi-space-size=2'],
    });
  }

  get label(): string {
    return `client process ${this.child.pid}`;
  }

  send(message: ToFleet): void {
    if (this.child.connected) this.child.send(message);
  }

  onMessage(listener: (message: FromFleet) => void): void {
    this.child.on('message', listener);
  }

  onClose(listener: (how: string) => void): void {
    // 'close' comes after the IPC channel is drained; 'exit' can overtake the last messages.
    this.child.once('close', (code: number | null, signal: string | null) => listener(String(signal ?? code)));
  }

  get gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  exited(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return once(this.child, 'exit').then(() => {});
  }

  async kill(): Promise<void> {
    if (this.gone) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

export class FleetProcess {
  counters: FleetCounters | undefined;
  p50 = 0;
  p90 = 0;
  p99 = 0;
  /** p99 (us) of the deliveries of the last second. */
  intervalP99 = 0;
  /** When `counters` were read in the client process (epoch ms; 0 before the first tick). */
  countersAt = 0;
  /** Set when the parent stops the process itself (finish or kill): its exit is then no fault. */
  #stopping = false;
  /** Why the process ended, once it has (noticed at once, not when next asked). */
  ended: string | undefined;
  #waiters = new Map<string, (message: FromFleet) => void>();
  #error: string | undefined;

  /** `onUnexpectedExit`: the process died while the run needed it (noticed at once, not at the next question). */
  constructor(
    private readonly onUnexpectedExit?: (how: string) => void,
    readonly channel: FleetChannel = new ForkedFleet(),
  ) {
    channel.onMessage((message: FromFleet) => this.#receive(message));
    channel.onClose((how) => {
      this.ended = `${channel.label} exited (${how})${this.#error ? `: ${this.#error}` : ''}`;
      if (!this.#stopping) this.onUnexpectedExit?.(this.ended);
      for (const [key, waiter] of this.#waiters) {
        this.#waiters.delete(key);
        waiter({ type: 'error', message: `${this.ended} before ${key}` });
      }
    });
  }

  #receive(message: FromFleet): void {
    if (message.type === 'tick') {
      this.counters = message.counters;
      this.p50 = message.p50;
      this.p90 = message.p90;
      this.p99 = message.p99;
      this.intervalP99 = message.intervalP99;
      this.countersAt = message.at;
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
    this.channel.send(message);
  }

  /** The next message of a kind (`ramped`, `final`, `mark:NAME`); rejects on an error, an exit or the timeout. */
  next(key: string, timeoutMs: number): Promise<FromFleet> {
    if (this.ended) return Promise.reject(new Error(`${this.ended} before ${key}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`${this.channel.label}: no ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(key, (message) => {
        clearTimeout(timer);
        if (message.type === 'error')
          reject(new Error(message.message.startsWith(this.channel.label) ? message.message : `${this.channel.label}: ${message.message}`));
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

  /** The parent is ending the process (finish, abort): its exit is expected. */
  expectExit(): void {
    this.#stopping = true;
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  exited(): Promise<void> {
    return this.channel.exited();
  }

  async kill(): Promise<void> {
    this.#stopping = true;
    await this.channel.kill();
  }
}

export class FleetGroup {
  readonly fleets: FleetProcess[];

  /** `count` processes forked here, or the given members (a load agent's processes). */
  constructor(count: number | FleetProcess[], onUnexpectedExit?: (how: string) => void) {
    this.fleets = typeof count === 'number' ? Array.from({ length: count }, () => new FleetProcess(onUnexpectedExit)) : count;
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

  /** The latest counters each process sent on its own (once a second); a dead process holds no open client. */
  latest(): FleetCounters {
    return sumCounters(
      this.fleets.flatMap((fleet) => (fleet.counters ? [fleet.alive ? fleet.counters : deadCounters(fleet.counters)] : [])),
    );
  }

  /** When the oldest of the latest counters were read (epoch ms): the moment latest() is true of. */
  latestAt(): number {
    const alive = this.fleets.filter((fleet) => fleet.alive);
    return alive.length === 0 ? 0 : Math.min(...alive.map((fleet) => fleet.countersAt));
  }

  /** The highest p99 any process saw in its last second. */
  intervalP99(): number {
    return Math.max(0, ...this.fleets.map((fleet) => (fleet.alive ? fleet.intervalP99 : 0)));
  }

  /**
   * The highest p50, p90 and p99 any process has seen so far: for progress
   * only (an upper bound of the whole fleet's); the result merges histograms.
   */
  percentiles(): { p50: number; p90: number; p99: number } {
    const highest = (pick: (fleet: FleetProcess) => number) => Math.max(0, ...this.fleets.map(pick));
    return { p50: highest((f) => f.p50), p90: highest((f) => f.p90), p99: highest((f) => f.p99) };
  }

  /**
   * Every process's counters at this moment, asked for and summed; a dead
   * process gives its last counters. With `owed`, each also counts what its
   * clients are still owed (`missing`).
   */
  async mark(name: MarkName, owed?: Owed): Promise<FleetCounters> {
    const marks = await Promise.all(
      this.fleets.map(async (fleet) => {
        if (!fleet.alive) return deadCounters(fleet.counters);
        fleet.send({ type: 'mark', name, ...(owed && { owed }) });
        try {
          const message = (await fleet.next(`mark:${name}`, MARK_TIMEOUT_MS)) as Extract<FromFleet, { type: 'mark' }>;
          fleet.counters = message.counters;
          return message.counters;
        } catch (error) {
          // Died while asked: its end is already in the run's events; its last counters stand.
          if (!fleet.alive) return deadCounters(fleet.counters);
          throw error;
        }
      }),
    );
    return sumCounters(marks);
  }

  /**
   * Closes every client, settles each process's books against the heads, and
   * waits for the processes to exit. A process that died, or does not answer
   * within `timeoutMs`, gives what its last counters say: its clients count
   * as dropped, and it owes no latency or loss figures it cannot give.
   */
  async finish(heads: Record<string, number>, unacknowledged: Record<string, number>, timeoutMs = FINAL_TIMEOUT_MS): Promise<FleetFinal[]> {
    const finals = await Promise.all(
      this.fleets.map(async (fleet) => {
        if (!fleet.alive) return finalOfDead(fleet);
        fleet.expectExit();
        fleet.send({ type: 'finish', heads, unacknowledged });
        try {
          const message = await fleet.next('final', timeoutMs);
          return (message as Extract<FromFleet, { type: 'final' }>).result;
        } catch (error) {
          await fleet.kill();
          return finalOfDead(fleet, (error as Error).message);
        }
      }),
    );
    await Promise.all(this.fleets.map((fleet) => fleet.exited()));
    return finals;
  }

  async kill(): Promise<void> {
    await Promise.all(this.fleets.map((fleet) => fleet.kill()));
  }
}

const ZERO_COUNTERS: FleetCounters = sumCounters([]);

/** A dead process's last counters: its bytes and deliveries happened; none of its clients is open any more. */
function deadCounters(counters: FleetCounters | undefined): FleetCounters {
  const last = counters ?? ZERO_COUNTERS;
  return { ...last, open: 0, connecting: 0, reconnecting: 0 };
}

function finalOfDead(fleet: FleetProcess, why = fleet.ended ?? 'client process ended'): FleetFinal {
  const last = fleet.counters ?? ZERO_COUNTERS;
  return {
    ...deadCounters(last),
    expected: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    reconnected: 0,
    // Every client it had open was dropped with it.
    dropped: last.open + last.reconnecting,
    gaps: 0,
    gapUpdates: 0,
    histogram: '',
    rssPeakMb: 0,
    errors: [why],
  };
}
