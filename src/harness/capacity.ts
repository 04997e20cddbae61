/**
 * The capacity search: run a transport at each step's client count, in order,
 * until a step misses the SLO (p99 over the limit, a failed connection, a lost
 * update, or a schedule the machine could not keep). The answer is the largest
 * passing step.
 */
import type { CapacityResult, CapacityStep, TransportResult } from '../result/schema.js';

/** Why a step failed the SLO; empty when it passed. */
export function stepFailures(result: TransportResult, sloP99Ms: number): string[] {
  const p99Ms = result.latency_us.p99 / 1000;
  const reasons: string[] = [];
  if (result.clients.failed > 0) reasons.push(`${result.clients.failed} connections failed`);
  if (result.updates.lost > 0) reasons.push(`${result.updates.lost} updates lost`);
  if (p99Ms > sloP99Ms) reasons.push(`p99 ${p99Ms} ms over ${sloP99Ms} ms`);
  if (result.rate.saturated) reasons.push('schedule not kept (saturated)');
  return reasons;
}

export function capacityStep(clients: number, result: TransportResult, sloP99Ms: number): CapacityStep {
  const reasons = stepFailures(result, sloP99Ms);
  return {
    clients,
    open: result.clients.open,
    failed: result.clients.failed,
    lost: result.updates.lost,
    p99_ms: result.latency_us.p99 / 1000,
    achieved: result.rate.achieved,
    intended: result.rate.intended,
    pass: reasons.length === 0,
    ...(reasons.length > 0 && { reason: reasons.join('; ') }),
  };
}

export interface CapacitySearch {
  /** Client counts to try, in order. */
  steps: readonly number[];
  sloP99Ms: number;
  cpus: number;
  /** Runs one step; the search stops at the first failing step. */
  runStep: (clients: number) => Promise<TransportResult>;
  /** Checked before each step: an aborted run tries no more. */
  stopped?: () => boolean;
}

/** The search, and the transport result to report: the largest passing step's, or the last one tried. */
export async function searchCapacity(search: CapacitySearch): Promise<{ capacity: CapacityResult; result: TransportResult | undefined }> {
  const steps: CapacityStep[] = [];
  let best: TransportResult | undefined;
  let last: TransportResult | undefined;
  for (const clients of search.steps) {
    if (search.stopped?.()) break;
    last = await search.runStep(clients);
    const step = capacityStep(clients, last, search.sloP99Ms);
    steps.push(step);
    if (!step.pass) break;
    best = last;
  }
  const maxClients = steps.findLast((step) => step.pass)?.clients ?? 0;
  return {
    capacity: { slo_p99_ms: search.sloP99Ms, max_clients: maxClients, clients_per_core: Math.round(maxClients / search.cpus), steps },
    result: best ?? last,
  };
}
