/**
 * A client process that a load agent runs for this run: the FleetChannel a
 * FleetProcess speaks through when the process is on another machine. What
 * is sent goes to the agent's stream, tagged with the process; what the
 * process answers comes back through the run's stream (agent-pool.ts hands
 * it here). It closes when the agent reports the exit, or when the agent
 * itself has vanished.
 */
import type { FleetChannel } from '../harness/fleet-process.js';
import type { FromFleet, ToFleet } from '../harness/fleet-protocol.js';
import type { ToAgent } from './agent-protocol.js';

/** How long a kill waits for the agent to report the exit (the agent's own timeout closes it otherwise). */
const KILL_WAIT_MS = 10_000;

export class RemoteFleet implements FleetChannel {
  #onMessage: ((message: FromFleet) => void) | undefined;
  #onClose: ((how: string) => void) | undefined;
  #how: string | undefined;
  #closed: () => void = () => {};
  readonly #exited = new Promise<void>((resolve) => (this.#closed = resolve));

  constructor(
    readonly agentName: string,
    readonly pid: number,
    private readonly address: { generation: number; process: number },
    private readonly postToAgent: (message: ToAgent) => void,
  ) {}

  get label(): string {
    return `agent ${this.agentName}: client process ${this.pid || '(not started)'}`;
  }

  send(message: ToFleet): void {
    if (!this.gone) this.postToAgent({ type: 'fleet', ...this.address, message });
  }

  onMessage(listener: (message: FromFleet) => void): void {
    this.#onMessage = listener;
  }

  onClose(listener: (how: string) => void): void {
    this.#onClose = listener;
    // Closed before anyone listened (the agent vanished while spawning): say so now.
    if (this.#how !== undefined) queueMicrotask(() => listener(this.#how!));
  }

  /** A message from the process, as the agent passed it on. */
  deliver(message: FromFleet): void {
    if (!this.gone) this.#onMessage?.(message);
  }

  /** The process exited (`how`: its code or signal) or is out of reach; nothing more comes. */
  close(how: string): void {
    if (this.gone) return;
    this.#how = how;
    this.#onClose?.(how);
    this.#closed();
  }

  get gone(): boolean {
    return this.#how !== undefined;
  }

  exited(): Promise<void> {
    return this.#exited;
  }

  async kill(): Promise<void> {
    if (this.gone) return;
    this.postToAgent({ type: 'kill', ...this.address });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, KILL_WAIT_MS)));
    await Promise.race([this.#exited, late]);
    clearTimeout(timer);
    this.close('killed (the agent did not confirm)');
  }
}
