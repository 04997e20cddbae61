/**
 * One run as an agent sees it: say hello, keep saying `alive`, fork the
 * client processes each transport asks for and pass the fleet protocol
 * between them and the run, until the run releases the agent, goes away
 * (its key expired) or the coordinator is out of reach for the run's
 * timeout. Every process it started is stopped when it ends: no load
 * outlives its run.
 */
import type { Redis } from 'ioredis';
import { ForkedFleet } from '../harness/fleet-process.js';
import type { FleetPlan, ToFleet } from '../harness/fleet-protocol.js';
import type { AgentHello, FromAgent, Invitation, ToAgent } from './agent-protocol.js';
import { downStream, runKey, upStream } from './keys.js';
import { post, StreamReader } from './redis-link.js';

export interface SessionContext {
  id: string;
  hello: AgentHello;
  redis: Redis;
  blocking: Redis;
  log: (line: string) => void;
}

/** Sending a message without the agent id, which every message carries. */
type Outgoing = FromAgent extends infer M ? (M extends FromAgent ? Omit<M, 'agent'> : never) : never;

export class AgentSession {
  readonly #fleets = new Map<number, ForkedFleet>();
  #generation = -1;
  #ended: ((why: string) => void) | undefined;
  readonly #over: Promise<string>;

  constructor(
    private readonly context: SessionContext,
    private readonly invitation: Invitation,
  ) {
    this.#over = new Promise((resolve) => (this.#ended = resolve));
  }

  /** Serves the run; resolves with why it ended, once every client process has stopped. */
  async run(): Promise<string> {
    const { invitation } = this;
    this.#send({ type: 'hello', ...this.context.hello });
    const heartbeat = setInterval(() => this.#send({ type: 'alive' }), invitation.heartbeatMs);
    const watch = this.#watchRun();
    const reader = new StreamReader(
      this.context.blocking,
      downStream(invitation.run, this.context.id),
      (message) => this.#receive(message as ToAgent),
      (error) => this.context.log(`coordinator: ${error.message}`),
    );
    const why = await this.#over;
    clearInterval(heartbeat);
    clearInterval(watch);
    await Promise.all([reader.stop(), ...[...this.#fleets.values()].map((fleet) => fleet.kill())]);
    return why;
  }

  /** Ends the session (idempotent); run() resolves once its processes are stopped. */
  async end(why: string): Promise<void> {
    this.#ended?.(why);
    this.#ended = undefined;
    await this.#over;
  }

  /** Once a second: is the run still there? Gone, or out of reach for its timeout: the session ends. */
  #watchRun(): NodeJS.Timeout {
    let lastSeen = Date.now();
    return setInterval(() => {
      if (Date.now() - lastSeen > this.invitation.timeoutMs) {
        void this.end(`the coordinator did not answer for ${this.invitation.timeoutMs} ms`);
        return;
      }
      this.context.redis.exists(runKey(this.invitation.run)).then(
        (exists) => {
          if (exists) lastSeen = Date.now();
          else void this.end('the run is gone');
        },
        () => {},
      );
    }, 1000);
  }

  #receive(message: ToAgent): void {
    switch (message.type) {
      case 'spawn':
        this.#spawn(message.generation, message.processes);
        return;
      case 'fleet':
        if (message.generation === this.#generation) this.#fleets.get(message.process)?.send(this.#withSource(message.message));
        return;
      case 'kill':
        if (message.generation === this.#generation) void this.#fleets.get(message.process)?.kill();
        return;
      case 'release':
        void this.end('released by the run');
        return;
    }
  }

  /** Forks the processes of a new transport; any of the last one still running is stopped first. */
  #spawn(generation: number, count: number): void {
    for (const fleet of this.#fleets.values()) void fleet.kill();
    this.#fleets.clear();
    this.#generation = generation;
    const pids: number[] = [];
    for (let process = 0; process < count; process++) {
      const fleet = new ForkedFleet();
      this.#fleets.set(process, fleet);
      pids.push(fleet.child.pid ?? 0);
      fleet.onMessage((message) => this.#send({ type: 'fleet', generation, process, message }));
      fleet.onClose((how) => {
        if (this.#fleets.get(process) === fleet) this.#fleets.delete(process);
        this.#send({ type: 'exit', generation, process, how });
      });
    }
    this.#send({ type: 'spawned', generation, pids });
  }

  /** With --source-address, every target is reached from each of the agent's addresses in turn. */
  #withSource(message: ToFleet): ToFleet {
    const addresses = this.context.hello.sourceAddresses;
    if (message.type !== 'start' || addresses.length === 0) return message;
    const plan: FleetPlan = {
      ...message.plan,
      targets: addresses.flatMap((localAddress) => message.plan.targets.map((target) => ({ ...target, localAddress }))),
    };
    return { type: 'start', plan };
  }

  /** Posts in call order (one connection keeps the order); a failed post is logged, the run's timeout does the rest. */
  #send(message: Outgoing): void {
    post(this.context.redis, upStream(this.invitation.run), { ...message, agent: this.context.id }).catch((error: Error) =>
      this.context.log(`coordinator: ${error.message}`),
    );
  }
}
