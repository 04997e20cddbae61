/**
 * The run's side of the load agents (`rtbench run --coordinator URL
 * --agents N`): invites N agents through the coordinator and waits for them
 * (a clear error naming how many came), keeps the run's key alive so they
 * know it lasts, watches each one's heartbeat, and for each transport has
 * every agent fork its share of the client processes. The run drives those
 * through the same FleetGroup as local ones (fleet-launcher.ts). An agent
 * that goes silent for the timeout has vanished: an `agent-lost` event, and
 * its processes count as dead ones do, which makes the run invalid.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FleetLauncher, LaunchedFleet, LaunchRequest } from '../harness/fleet-launcher.js';
import { FleetGroup, FleetProcess } from '../harness/fleet-process.js';
import type { RunEvents } from '../harness/run-events.js';
import { agentBreakdown } from './agent-breakdown.js';
import type { FromAgent, Invitation, ToAgent } from './agent-protocol.js';
import { agentPlans } from './agent-plans.js';
import { downStream, INVITATIONS, KEY_TTL_S, runKey, upStream } from './keys.js';
import { connectRedis, CoordinatorError, post, StreamReader } from './redis-link.js';
import { RemoteAgent } from './remote-agent.js';

export interface AgentPoolOptions {
  /** redis://host:port */
  coordinator: string;
  agents: number;
  /** How long to wait for them to arrive. */
  waitMs: number;
  /** Silence after which an agent has vanished. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export class AgentPool implements FleetLauncher {
  readonly run = randomUUID();
  readonly agents: RemoteAgent[] = [];
  #generation = 0;
  #events: RunEvents | undefined;
  #transport: string | undefined;
  /** Agents that vanished while no transport was running: said at the next launch. */
  #unreported: string[] = [];
  #arrived: () => void = () => {};
  readonly #timers: NodeJS.Timeout[] = [];
  #reader: StreamReader | undefined;
  #closed = false;

  private constructor(
    private readonly options: AgentPoolOptions,
    private readonly redis: Redis,
    private readonly blocking: Redis,
  ) {}

  /** Invites the agents and waits for them; rejects naming how many came if they are not all there in time. */
  static async gather(options: AgentPoolOptions): Promise<AgentPool> {
    const redis = await connectRedis(options.coordinator, 'rtbench-run');
    const blocking = await connectRedis(options.coordinator, 'rtbench-run-reader').catch((error: Error) => {
      redis.disconnect();
      throw error;
    });
    const pool = new AgentPool(options, redis, blocking);
    try {
      await pool.#gather();
      return pool;
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  async #gather(): Promise<void> {
    const { agents: count, waitMs, timeoutMs } = this.options;
    await this.#keepAlive();
    this.#reader = new StreamReader(this.blocking, upStream(this.run), (message) => this.#receive(message as FromAgent));
    const invitation: Invitation = { run: this.run, timeoutMs, heartbeatMs: Math.min(1000, Math.max(100, timeoutMs / 5)) };
    const arrived = new Promise<void>((resolve) => (this.#arrived = resolve));
    await this.redis.rpush(INVITATIONS, ...Array.from({ length: count }, () => JSON.stringify(invitation)));
    // Invitations of runs killed before they withdrew theirs do not pile up where no agent takes them.
    await this.redis.expire(INVITATIONS, KEY_TTL_S);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
    const outcome = await Promise.race([arrived, late]);
    clearTimeout(timer);
    // Invitations nobody took are withdrawn: a later agent must not join a run that has begun (or given up).
    await this.redis.lrem(INVITATIONS, 0, JSON.stringify(invitation));
    if (outcome === 'late') {
      const names = this.agents.map((agent) => agent.name).join(', ');
      throw new CoordinatorError(
        `${this.agents.length} of ${count} load agents arrived within ${waitMs / 1000} s at ${this.options.coordinator}` +
          `${names ? ` (${names})` : ''}; start more with: rtbench agent --coordinator ${this.options.coordinator}`,
      );
    }
    const every = Math.min(250, timeoutMs / 4);
    let lastTick = Date.now();
    this.#timers.push(
      setInterval(() => {
        // A tick far behind its time means this process was stalled: what the
        // agents sent meanwhile is still unread, so their silence proves nothing yet.
        const stalled = Date.now() - lastTick > every * 4;
        lastTick = Date.now();
        if (!stalled) this.#watch();
      }, every),
    );
  }

  /** The run's key, refreshed well inside its expiry: agents leave a run whose key is gone. */
  async #keepAlive(): Promise<void> {
    const { timeoutMs } = this.options;
    const refresh = () => this.redis.set(runKey(this.run), '1', 'PX', timeoutMs);
    await refresh();
    this.#timers.push(setInterval(() => void refresh().catch(() => {}), timeoutMs / 4));
  }

  #receive(message: FromAgent): void {
    if (message.type === 'hello') this.#welcome(message);
    else this.agents.find((agent) => agent.id === message.agent)?.receive(message);
  }

  #welcome(hello: Extract<FromAgent, { type: 'hello' }>): void {
    const postToAgent = (message: ToAgent) => this.#post(hello.agent, message);
    if (this.agents.length >= this.options.agents) {
      // One too many (it took an invitation as the last one arrived): sent back to wait for the next run.
      postToAgent({ type: 'release' });
      return;
    }
    const taken = new Set(this.agents.map((agent) => agent.name));
    let name = hello.name;
    for (let n = 2; taken.has(name); n++) name = `${hello.name}-${n}`;
    this.agents.push(new RemoteAgent(hello.agent, name, hello, postToAgent));
    this.options.log?.(`agent ${name} (${hello.host}) arrived: ${this.agents.length} of ${this.options.agents}`);
    if (this.agents.length === this.options.agents) this.#arrived();
  }

  #post(agent: string, message: ToAgent): void {
    if (this.#closed) return;
    post(this.redis, downStream(this.run, agent), message).catch(() => {});
  }

  /** Agents silent for the timeout have vanished. */
  #watch(): void {
    const { timeoutMs } = this.options;
    for (const agent of this.agents) {
      if (agent.vanished || Date.now() - agent.lastSeen <= timeoutMs) continue;
      const running = agent.running;
      const how = `agent ${agent.name} vanished: nothing from it for ${timeoutMs} ms`;
      agent.vanish(how);
      const message = `load agent ${agent.name} (${agent.hello.host}) vanished: nothing from it for ${timeoutMs} ms; ${running} client process(es) lost with it`;
      if (this.#events) this.#events.add('agent-lost', message, this.#transport);
      else this.#unreported.push(message);
    }
  }

  /** Each live agent forks its share of the transport's client processes; one group of them all. */
  async launch(request: LaunchRequest): Promise<LaunchedFleet> {
    const { events, transport } = request;
    this.#events = events;
    this.#transport = transport;
    for (const message of this.#unreported.splice(0)) events.add('agent-lost', message, transport);
    const agents = this.agents.filter((agent) => !agent.vanished);
    if (agents.length === 0) throw new CoordinatorError('every load agent of the run has vanished');
    const split = agentPlans(request.scenario, transport, request.clients, request.channels, request.targets, agents.length);
    const generation = ++this.#generation;
    const channels = await Promise.all(agents.map((agent, a) => agent.spawn(generation, split.processes[a]!)));
    const members = channels.flatMap((list, a) =>
      list.map(
        (channel) =>
          new FleetProcess((how) => {
            // An agent's vanishing is one agent-lost event, not one per process.
            if (!agents[a]!.vanished) events.add('client-process-exit', how, transport);
          }, channel),
      ),
    );
    return {
      plans: split.plans,
      group: new FleetGroup(members),
      breakdown: (finals) => agentBreakdown(agents, split.owners, split.plans, finals),
    };
  }

  /** Releases the agents (they stop their processes and wait for the next run) and removes the run's keys. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const agent of this.agents) agent.release();
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    const reading = this.#reader?.stop();
    // Ends the blocking read now rather than at its next timeout.
    this.blocking.disconnect();
    await reading;
    // The agents' streams go a minute later, so each can still read its release;
    // those of a run killed before this expire on their own (keys.ts).
    await Promise.all([
      this.redis.del(runKey(this.run), upStream(this.run)),
      ...this.agents.map((agent) => this.redis.expire(downStream(this.run, agent.id), 60)),
    ]).catch(() => {});
    this.redis.disconnect();
    this.blocking.disconnect();
  }
}
