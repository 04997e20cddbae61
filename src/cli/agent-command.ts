/** `rtbench agent`: a load agent that runs client processes for runs that ask the coordinator for agents. */
import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import type { Agent } from '../agents/agent.js';
import { coordinatorUrl } from './agent-options.js';
import { EXIT } from './exit-codes.js';

interface AgentCommandOptions {
  coordinator: string;
  name?: string;
  sourceAddress?: string[];
  once?: boolean;
}

function addressList(value: string): string[] {
  const addresses = value.split(',').map((address) => address.trim());
  for (const address of addresses) {
    if (!/^[0-9a-fA-F:.]+$/.test(address)) throw new InvalidArgumentError(`"${address}" is not an IP address.`);
  }
  return addresses;
}

export function agentCommand(setExit: (code: Promise<number>) => void): Command {
  return new Command('agent')
    .description('wait for runs (rtbench run --coordinator URL --agents N) and run their client processes on this machine')
    .requiredOption('--coordinator <url>', 'Redis where runs look for agents (redis://host:port)', coordinatorUrl)
    .option('--name <name>', 'how runs name this agent', os.hostname())
    .option('--source-address <list>', "addresses this machine's clients connect from, in turn (default: the kernel's choice)", addressList)
    .option('--once', 'serve one run, then exit')
    .action((options: AgentCommandOptions) => setExit(serveAgent(options)));
}

async function serveAgent(options: AgentCommandOptions): Promise<number> {
  let agent: Agent;
  try {
    // Loaded here, not at the top: every other command (serve above all) starts without the Redis client.
    const { Agent } = await import('../agents/agent.js');
    agent = await Agent.connect({
      coordinator: options.coordinator,
      name: options.name,
      sourceAddresses: options.sourceAddress,
      once: options.once,
      log: (line) => console.error(line),
    });
  } catch (error) {
    console.error(`rtbench agent: ${(error as Error).message}`);
    return EXIT.error;
  }
  // A signal stops the client processes of the run being served, then the agent.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`rtbench agent ${agent.name}: ${signal}, stopping`);
    void agent.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await agent.serve();
    await agent.stop();
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
