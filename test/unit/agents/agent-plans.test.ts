/** How a transport's clients are split over load agents and their processes (pure). */
import { describe, expect, it } from 'vitest';
import { agentPlans } from '../../../src/agents/agent-plans.js';
import { fleetPlans } from '../../../src/harness/fleet-plans.js';
import { parseScenario } from '../../../src/scenarios/schema.js';

const scenario = (clientsPerProcess: number) =>
  parseScenario(
    {
      name: 't',
      transports: ['ws'],
      clients: 10,
      channels: 3,
      rate: 1,
      payloadBytes: 0,
      durationMs: 1000,
      rampPerSec: 600,
      clientsPerProcess,
    },
    'test',
  );
const targets = [{ host: '127.0.0.1', port: 1 }];
const channels = ['c0', 'c1', 'c2'];

describe('agentPlans', () => {
  it('consecutive client indexes per agent, each agent over processes of at most clientsPerProcess', () => {
    const split = agentPlans(scenario(2), 'ws', 10, channels, targets, 3);
    expect(split.processes).toEqual([2, 2, 2]);
    expect(split.owners).toEqual([0, 0, 1, 1, 2, 2]);
    expect(split.plans.map((plan) => [plan.firstIndex, plan.count])).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
      [6, 1],
      [7, 2],
      [9, 1],
    ]);
    // The ramp is shared over every process of every agent, as over local processes.
    expect(split.plans.every((plan) => plan.rampPerSec === 100)).toBe(true);
  });

  it('one agent gives the plans one machine would make', () => {
    const split = agentPlans(scenario(4), 'ws', 10, channels, targets, 1);
    expect(split.plans).toEqual(fleetPlans(scenario(4), 'ws', 10, channels, targets));
    expect(split.owners).toEqual([0, 0, 0]);
  });

  it('fewer clients than agents: the agents without clients run no process', () => {
    const split = agentPlans(scenario(15_000), 'ws', 2, channels, targets, 3);
    expect(split.processes).toEqual([1, 1, 0]);
    expect(split.plans.map((plan) => [plan.firstIndex, plan.count])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});
