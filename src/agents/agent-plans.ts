/**
 * How a transport's clients are split over load agents: consecutive client
 * indexes per agent (client i keeps channel i mod C wherever it runs, so the
 * subscribers and what they are owed are those of a run on one machine),
 * each agent's share over processes of at most clientsPerProcess, and the
 * ramp rate shared out over every process of every agent.
 */
import type { ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import { fleetPlan } from '../harness/fleet-plans.js';
import type { FleetPlan } from '../harness/fleet-protocol.js';
import type { Scenario } from '../scenarios/schema.js';
import { shareOf } from '../util/share.js';

export interface AgentPlans {
  /** Every process's plan, agent by agent. */
  plans: FleetPlan[];
  /** Per plan, the index of the agent that runs it. */
  owners: number[];
  /** Per agent, how many processes it runs (0 when there are fewer clients than agents). */
  processes: number[];
}

export function agentPlans(
  s: Scenario,
  transport: TransportName,
  clients: number,
  channels: string[],
  targets: ClientTarget[],
  agents: number,
): AgentPlans {
  const shares = Array.from({ length: agents }, (_, a) => shareOf(a, agents, clients));
  const processes = shares.map((share) => Math.ceil(share / s.clientsPerProcess));
  const processCount = processes.reduce((total, n) => total + n, 0);
  const plans: FleetPlan[] = [];
  const owners: number[] = [];
  let firstIndex = 0;
  shares.forEach((share, agent) => {
    for (let i = 0; i < processes[agent]!; i++) {
      const count = shareOf(i, processes[agent]!, share);
      plans.push(fleetPlan(s, transport, channels, targets, { firstIndex, count, processCount }));
      owners.push(agent);
      firstIndex += count;
    }
  });
  return { plans, owners, processes };
}
