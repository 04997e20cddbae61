/**
 * A load agent as the run sees it: who it is, when it was last heard from,
 * and the client processes it runs for the current transport (RemoteFleet
 * each). Messages from it arrive through receive(); messages to it go to its
 * own stream. Once it has vanished nothing from it counts any more.
 */
import type { AgentHello, FromAgent, ToAgent } from './agent-protocol.js';
import { RemoteFleet } from './remote-fleet.js';

/** How long an agent may take to fork a transport's client processes. */
const SPAWN_TIMEOUT_MS = 30_000;

export class RemoteAgent {
  lastSeen = Date.now();
  vanished = false;
  #generation = -1;
  #fleets: RemoteFleet[] = [];
  #spawned: ((pids: number[]) => void) | undefined;
  #vanishedHow = '';

  constructor(
    readonly id: string,
    /** Its name, made unique within the run. */
    readonly name: string,
    readonly hello: AgentHello,
    private readonly postToAgent: (message: ToAgent) => void,
  ) {}

  receive(message: FromAgent): void {
    if (this.vanished) return;
    this.lastSeen = Date.now();
    switch (message.type) {
      case 'spawned':
        if (message.generation === this.#generation) this.#spawned?.(message.pids);
        return;
      case 'fleet':
        if (message.generation === this.#generation) this.#fleets[message.process]?.deliver(message.message);
        return;
      case 'exit':
        if (message.generation === this.#generation) this.#fleets[message.process]?.close(message.how);
        return;
    }
  }

  /**
   * Asks the agent for `count` client processes of a new transport; resolves
   * with their channels once it has forked them (closed ones if it vanishes
   * or does not answer meanwhile, so the run goes on and says what happened).
   */
  async spawn(generation: number, count: number): Promise<RemoteFleet[]> {
    this.#generation = generation;
    this.#fleets = [];
    if (count === 0) return [];
    let timer: NodeJS.Timeout | undefined;
    const pids = await new Promise<number[]>((resolve) => {
      this.#spawned = resolve;
      timer = setTimeout(() => resolve([]), SPAWN_TIMEOUT_MS);
      this.postToAgent({ type: 'spawn', generation, processes: count });
    });
    clearTimeout(timer);
    this.#spawned = undefined;
    this.#fleets = Array.from(
      { length: count },
      (_, process) => new RemoteFleet(this.name, pids[process] ?? 0, { generation, process }, this.postToAgent),
    );
    if (pids.length === 0) this.#closeAll(this.vanished ? this.#vanishedHow : `did not start within ${SPAWN_TIMEOUT_MS} ms`);
    return this.#fleets;
  }

  /** Nothing heard from it for too long: every process it ran is out of reach. */
  vanish(how: string): void {
    if (this.vanished) return;
    this.vanished = true;
    this.#vanishedHow = how;
    this.#spawned?.([]);
    this.#closeAll(how);
  }

  /** Its processes of the current transport that are still running. */
  get running(): number {
    return this.#fleets.filter((fleet) => !fleet.gone).length;
  }

  release(): void {
    if (!this.vanished) this.postToAgent({ type: 'release' });
  }

  #closeAll(how: string): void {
    for (const fleet of this.#fleets) fleet.close(how);
  }
}
