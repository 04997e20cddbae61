/**
 * The per-agent part of a transport's result: each agent's processes'
 * finals summed, and their latency histograms merged into one encoded
 * histogram per agent (the transport's own histogram merges the same
 * process histograms, so it is the merge of the agents').
 */
import * as hdr from 'hdr-histogram-js';
import type { FleetFinal, FleetPlan } from '../harness/fleet-protocol.js';
import { mergeEncoded, summarize } from '../metrics/latency.js';
import type { AgentShare } from '../result/schema.js';
import type { RemoteAgent } from './remote-agent.js';

export function agentBreakdown(
  agents: readonly Pick<RemoteAgent, 'name' | 'hello' | 'vanished'>[],
  owners: readonly number[],
  plans: readonly FleetPlan[],
  finals: readonly FleetFinal[],
): AgentShare[] {
  return agents.map((agent, a) => {
    const mine = finals.filter((_, p) => owners[p] === a);
    const sum = (pick: (f: FleetFinal) => number) => mine.reduce((total, f) => total + pick(f), 0);
    const histogram = mergeEncoded(mine.map((f) => f.histogram));
    const { p50, p90, p99, p999, max, count } = summarize(histogram);
    return {
      name: agent.name,
      host: agent.hello.host,
      ...(agent.hello.sourceAddresses.length > 0 && { source_addresses: agent.hello.sourceAddresses }),
      processes: mine.length,
      clients: {
        target: plans.reduce((total, plan, p) => total + (owners[p] === a ? plan.count : 0), 0),
        open: sum((f) => f.open),
        failed: sum((f) => f.failed),
        dropped: sum((f) => f.dropped),
      },
      updates: {
        expected: sum((f) => f.expected),
        delivered: sum((f) => f.delivered),
        lost: sum((f) => f.lost),
        duplicated: sum((f) => f.duplicated),
        reordered: sum((f) => f.reordered),
      },
      bytes: { down: sum((f) => f.down), up: sum((f) => f.up), payload: sum((f) => f.payload) },
      latency_us: { p50, p90, p99, p999, max, count },
      latency_hdr: hdr.encodeIntoCompressedBase64(histogram),
      vanished: agent.vanished,
    };
  });
}
