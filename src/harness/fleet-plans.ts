/**
 * How a transport's clients are split over client processes: at most
 * clientsPerProcess each (the file limit is per process), consecutive client
 * indexes per process (so client i keeps channel i mod C wherever it runs),
 * and the ramp rate and handshake concurrency shared out between them.
 */
import type { ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import type { Scenario } from '../scenarios/schema.js';
import { shareOf } from '../util/share.js';
import type { FleetAdapter, FleetPlan } from './fleet-protocol.js';

export function fleetPlans(
  s: Scenario,
  transport: TransportName,
  clients: number,
  channels: string[],
  targets: ClientTarget[],
  adapter?: FleetAdapter,
): FleetPlan[] {
  const processCount = Math.ceil(clients / s.clientsPerProcess);
  let firstIndex = 0;
  return Array.from({ length: processCount }, (_, i): FleetPlan => {
    const plan = fleetPlan(
      s,
      transport,
      channels,
      targets,
      { firstIndex, count: shareOf(i, processCount, clients), processCount },
      adapter,
    );
    firstIndex += plan.count;
    return plan;
  });
}

/**
 * One process's plan: `count` clients from `firstIndex`, and its share of
 * the ramp rate and handshake concurrency among `processCount` processes.
 */
export function fleetPlan(
  s: Scenario,
  transport: TransportName,
  channels: string[],
  targets: ClientTarget[],
  part: { firstIndex: number; count: number; processCount: number },
  adapter?: FleetAdapter,
): FleetPlan {
  return {
    transport,
    firstIndex: part.firstIndex,
    count: part.count,
    channels,
    targets,
    rampPerSec: Math.max(1, s.rampPerSec / part.processCount),
    rampConcurrency: Math.max(1, Math.ceil(s.rampConcurrency / part.processCount)),
    settings: {
      headers: s.headers,
      conditional: s.conditional,
      pollIntervalMs: s.pollIntervalMs,
      longPollTimeoutMs: s.longPollTimeoutMs,
      pollingOnly: false,
      reconnect: true,
      echoRate: s.kind === 'echo' ? s.echoRate : 0,
    },
    ...(adapter && { adapter }),
  };
}
