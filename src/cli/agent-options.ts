/**
 * What `run` and `agent` share about load agents: the coordinator's URL, and
 * for `run` the options that spread its clients over agents and the gather
 * that waits for them (src/agents/agent-pool.ts).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AgentPool } from '../agents/agent-pool.js';
import { durationOption, integerOption } from './options.js';

export interface AgentRunOptions {
  coordinator?: string;
  agents?: number;
  agentsWait: number;
  agentTimeout: number;
}

export const DEFAULT_AGENTS_WAIT_MS = 60_000;
export const DEFAULT_AGENT_TIMEOUT_MS = 5000;

export function coordinatorUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a Redis URL such as redis://127.0.0.1:6379.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new InvalidArgumentError('expected a redis:// or rediss:// URL.');
  return value;
}

/** Adds --coordinator, --agents, --agents-wait and --agent-timeout to `run`. */
export function addAgentRunOptions(command: Command): Command {
  return command
    .option('--coordinator <url>', 'Redis (redis://host:port) where load agents wait for work (with --agents)', coordinatorUrl)
    .option(
      '--agents <n>',
      'spread the clients over this many load agents (rtbench agent) instead of processes here',
      integerOption(1, 1000),
    )
    .addOption(
      new Option('--agents-wait <time>', 'how long to wait for the agents to arrive')
        .argParser(durationOption(100, 3_600_000))
        .default(DEFAULT_AGENTS_WAIT_MS, '60s'),
    )
    .addOption(
      new Option('--agent-timeout <time>', 'an agent silent this long has vanished (the run is then invalid)')
        .argParser(durationOption(500, 600_000))
        .default(DEFAULT_AGENT_TIMEOUT_MS, '5s'),
    );
}

/** The option that is missing its partner, if one is: each of --coordinator and --agents needs the other. */
export function agentOptionsProblem(options: AgentRunOptions): string | undefined {
  if (options.agents !== undefined && options.coordinator === undefined) return '--agents needs --coordinator <url>';
  if (options.coordinator !== undefined && options.agents === undefined) return '--coordinator needs --agents <n>';
  return undefined;
}

/** Waits for the agents (undefined without --agents); rejects naming how many arrived. */
export async function gatherAgents(options: AgentRunOptions, log: (line: string) => void): Promise<AgentPool | undefined> {
  if (options.agents === undefined || options.coordinator === undefined) return undefined;
  log(`waiting up to ${options.agentsWait / 1000} s for ${options.agents} load agent(s) at ${options.coordinator}`);
  // Loaded here, not at the top: only a run with agents needs the Redis client.
  const { AgentPool } = await import('../agents/agent-pool.js');
  return AgentPool.gather({
    coordinator: options.coordinator,
    agents: options.agents,
    waitMs: options.agentsWait,
    timeoutMs: options.agentTimeout,
    log,
  });
}
