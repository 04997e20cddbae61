/**
 * A load agent (`rtbench agent`): waits on the coordinator for a run that
 * wants it, then runs that run's client processes on this machine, as the
 * run would fork them itself, passing the fleet protocol's messages between
 * them and the run over Redis streams. When the run releases it, or is gone,
 * it stops every process it started and waits for the next run.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { FromAgent, Invitation, ToAgent } from './agent-protocol.js';
import { AgentSession } from './agent-session.js';
import { INVITATIONS, runKey } from './keys.js';
import { connectRedis } from './redis-link.js';

export interface AgentOptions {
  /** redis://host:port of the coordinator. */
  coordinator: string;
  /** How runs name this agent (default: the host name). */
  name?: string;
  /** Addresses the clients connect from, in turn (default: the kernel's choice). */
  sourceAddresses?: string[];
  /** Serve one run, then stop. */
  once?: boolean;
  log?: (line: string) => void;
}

/** How long one wait for an invitation blocks before the agent looks at whether it should stop. */
const LOBBY_BLOCK_S = 1;

export class Agent {
  readonly id = randomUUID();
  readonly name: string;
  #stopped = false;
  #session: AgentSession | undefined;
  #serving: Promise<void> | undefined;

  private constructor(
    private readonly options: AgentOptions,
    /** Commands and posts. */
    private readonly redis: Redis,
    /** Blocking reads: the invitation list, then the run's stream to this agent. */
    private readonly blocking: Redis,
  ) {
    this.name = options.name ?? os.hostname();
  }

  static async connect(options: AgentOptions): Promise<Agent> {
    const redis = await connectRedis(options.coordinator, 'rtbench-agent');
    const blocking = await connectRedis(options.coordinator, 'rtbench-agent-reader').catch((error: Error) => {
      redis.disconnect();
      throw error;
    });
    return new Agent(options, redis, blocking);
  }

  /** Waits for work and does it, until stop() (or after one run with `once`). */
  serve(): Promise<void> {
    this.#serving ??= this.#lobby();
    return this.#serving;
  }

  async #lobby(): Promise<void> {
    this.#log(`waiting for work at ${this.options.coordinator}`);
    while (!this.#stopped) {
      let popped: [string, string] | null;
      try {
        popped = await this.blocking.blpop(INVITATIONS, LOBBY_BLOCK_S);
      } catch (error) {
        if (this.#stopped) break;
        this.#log(`coordinator: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (!popped || this.#stopped) continue;
      const invitation = parseInvitation(popped[1]);
      if (!invitation) {
        this.#log(`ignored an invitation that is not one: ${popped[1].slice(0, 200)}`);
        continue;
      }
      // An invitation outlives a run that gave up or died: only a live run is joined.
      if ((await this.redis.exists(runKey(invitation.run))) === 0) continue;
      this.#log(`joined run ${invitation.run}`);
      this.#session = new AgentSession(this.#sessionContext(), invitation);
      const why = await this.#session.run();
      this.#session = undefined;
      this.#log(`run ${invitation.run} over: ${why}`);
      if (this.options.once) break;
    }
  }

  #sessionContext() {
    return {
      id: this.id,
      hello: { name: this.name, host: os.hostname(), sourceAddresses: this.options.sourceAddresses ?? [] },
      redis: this.redis,
      blocking: this.blocking,
      log: (line: string) => this.#log(line),
    };
  }

  /** Stops every client process and the wait for work; closes the connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#session?.end('the agent was stopped');
    await this.#serving;
    this.redis.disconnect();
    this.blocking.disconnect();
  }

  #log(line: string): void {
    this.options.log?.(`rtbench agent ${this.name}: ${line}`);
  }
}

/** An invitation as a run writes it, or undefined for anything else on the list. */
export function parseInvitation(text: string): Invitation | undefined {
  try {
    const value = JSON.parse(text) as Partial<Invitation>;
    const positive = (n: unknown) => typeof n === 'number' && n > 0 && Number.isFinite(n);
    if (typeof value.run !== 'string' || !positive(value.heartbeatMs) || !positive(value.timeoutMs)) return undefined;
    return { run: value.run, heartbeatMs: value.heartbeatMs!, timeoutMs: value.timeoutMs! };
  } catch {
    return undefined;
  }
}

export type { FromAgent, ToAgent };
