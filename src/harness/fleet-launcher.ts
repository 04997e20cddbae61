/**
 * Where a transport run's client processes come from: forked on this machine
 * (the default), or run by load agents elsewhere (src/agents/). Either way
 * the run gets the plans and one FleetGroup that speaks fleet-protocol.ts.
 */
import type { ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import type { AgentShare } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { fleetPlans } from './fleet-plans.js';
import { FleetGroup } from './fleet-process.js';
import type { FleetAdapter, FleetFinal, FleetPlan } from './fleet-protocol.js';
import type { RunEvents } from './run-events.js';

export interface LaunchRequest {
  scenario: Scenario;
  transport: TransportName;
  clients: number;
  channels: string[];
  targets: ClientTarget[];
  events: RunEvents;
  /** The app's adapter, which each local client process loads (load agents do not drive adapters). */
  adapter?: FleetAdapter;
}

export interface LaunchedFleet {
  /** One plan per member of the group, in the group's order. */
  plans: FleetPlan[];
  group: FleetGroup;
  /** Per load agent: what its processes did (the finals come in the group's order). */
  breakdown?(finals: FleetFinal[]): AgentShare[];
}

export interface FleetLauncher {
  launch(request: LaunchRequest): Promise<LaunchedFleet>;
}

/** Client processes forked here, at most clientsPerProcess clients each. */
export const localFleets: FleetLauncher = {
  async launch({ scenario, transport, clients, channels, targets, events, adapter }) {
    const plans = fleetPlans(scenario, transport, clients, channels, targets, adapter);
    const group = new FleetGroup(plans.length, (how) => events.add('client-process-exit', how, transport));
    return { plans, group };
  },
};
