/**
 * npm run bench:short-poll-ceiling -- [--workers 2] [--clients 200] [--interval 10] [--duration 10] [--connections 200] [--headers minimal] [--rounds 2]
 *
 * Is the short-poll fleet the bottleneck? One rtbench server (`serve
 * --workers N` on 0.0.0.0), then on the same endpoint, one after another:
 * autocannon's ceiling (closed loop, --connections, the fleet's poll URL and
 * header profile), then --rounds times the short-poll fleet (--clients
 * polling every --interval ms, which asks for more polls a second than the
 * server answers, for --duration s) followed by autocannon again, so every
 * fleet round is bracketed by autocannon's on this noisy machine. Prints the
 * polls/s of each, the ratio of the means fleet / autocannon (near 1: the
 * fleet drives the endpoint as hard as autocannon, so its short-poll figures
 * are the server's, not the load generator's), and what each load generator
 * spent per poll (CPU microseconds: the fleet's client processes, and this
 * process while autocannon ran in it).
 */
import { parseArgs } from 'node:util';
import { ProgressPrinter, progressText } from '../dist/cli/progress-printer.js';
import type { HeaderProfileName } from '../dist/clients/header-profiles.js';
import { Orchestrator, type Progress } from '../dist/harness/orchestrator.js';
import { measurePollCeiling } from '../dist/harness/poll-ceiling.js';
import { startServerProcess } from '../dist/harness/server-process.js';
import { parseScenario } from '../dist/scenarios/schema.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    clients: { type: 'string', default: '200' },
    interval: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '200' },
    headers: { type: 'string', default: 'minimal' },
    rounds: { type: 'string', default: '2' },
  },
});
const durationMs = Number(values.duration) * 1000;
const headers = values.headers as HeaderProfileName;

const server = await startServerProcess(['--host', '0.0.0.0', '--workers', values.workers!, '--exit-with-stdin'], {});
const baseUrl = `http://127.0.0.1:${server.port}`;
const pollIntervalMs = Number(values.interval);

/** autocannon's ceiling, and the CPU this process spent per poll doing it (autocannon runs here, in one thread). */
async function autocannonRound(): Promise<{ pollsPerS: number; p99Ms: number; errors: number; cpuUsPerPoll: number }> {
  const cpu = process.cpuUsage();
  const c = await measurePollCeiling({
    baseUrl,
    channel: 'ch0',
    headers,
    connections: Number(values.connections),
    durationMs,
    pollIntervalMs,
  });
  const used = process.cpuUsage(cpu);
  console.error(`autocannon: ${c.polls_per_s} polls/s, p99 ${c.p99_ms} ms, ${c.errors} errors, ${c.non_2xx} non-2xx`);
  return { pollsPerS: c.polls_per_s, p99Ms: c.p99_ms, errors: c.errors + c.non_2xx, cpuUsPerPoll: (used.user + used.system) / c.polls };
}

// Updates rarer than polls (one every 5 s per channel), so most of the fleet's polls find nothing new, as autocannon's do.
const scenario = parseScenario(
  {
    name: 'short-poll-ceiling',
    transports: ['short-poll'],
    clients: Number(values.clients),
    channels: 100,
    rate: 0.2,
    payloadBytes: 16,
    durationMs,
    rampPerSec: 5000,
    drainMs: 1000,
    headers,
    pollIntervalMs,
  },
  'bench',
);

/** The fleet's achieved polls/s, and its client processes' CPU per poll over the steady phase and drain. */
async function fleetRound(): Promise<{ pollsPerS: number; intended: number; open: number; cpuUsPerPoll: number; ok: boolean }> {
  const orchestrator = new Orchestrator(scenario, { target: baseUrl });
  const printer = new ProgressPrinter(process.stderr);
  orchestrator.on('progress', (p: Progress) => printer.update(progressText(p), p.phase));
  const result = await orchestrator.run();
  printer.done();
  const t = result.transports['short-poll']!;
  const polls = t.rate.polls_achieved! * (t.phases_s!.steady + t.phases_s!.drain);
  console.error(
    `fleet: ${t.rate.polls_achieved} of ${t.rate.polls_intended} polls/s asked, ${t.clients.open} clients open, ${result.status}`,
  );
  if (result.status !== 'ok') console.error(`  ${(result.problems ?? []).join('; ')}`);
  return {
    pollsPerS: t.rate.polls_achieved!,
    intended: t.rate.polls_intended!,
    open: t.clients.open,
    cpuUsPerPoll: (t.processes.clients.steady_cpu_s! * 1e6) / polls,
    ok: result.status === 'ok',
  };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const round2 = (value: number) => Math.round(value * 100) / 100;

try {
  console.error(
    `server: ${baseUrl}, ${values.workers} workers; autocannon ${values.connections} connections, ${values.duration} s a round`,
  );
  // autocannon, fleet, autocannon, ...: on a shared machine the load drifts, so the fleet's rounds are bracketed by autocannon's.
  const cannon = [await autocannonRound()];
  const fleet = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    fleet.push(await fleetRound());
    cannon.push(await autocannonRound());
  }
  const row = {
    workers: Number(values.workers),
    headers,
    autocannon_polls_per_s: cannon.map((c) => c.pollsPerS).join(' / '),
    autocannon_p99_ms: Math.max(...cannon.map((c) => c.p99Ms)),
    fleet_polls_per_s: fleet.map((f) => f.pollsPerS).join(' / '),
    fleet_asked_per_s: fleet[0]!.intended,
    ratio_fleet_to_autocannon: round2(mean(fleet.map((f) => f.pollsPerS)) / mean(cannon.map((c) => c.pollsPerS))),
    autocannon_cpu_us_per_poll: round2(mean(cannon.map((c) => c.cpuUsPerPoll))),
    fleet_cpu_us_per_poll: round2(mean(fleet.map((f) => f.cpuUsPerPoll))),
  };
  console.log(JSON.stringify(row));
  console.table([row]);
  if (fleet.some((f) => !f.ok) || cannon.some((c) => c.errors > 0)) {
    console.error('bench:short-poll-ceiling: a round failed (see above); the ratio cannot be trusted');
    process.exitCode = 1;
  }
} finally {
  await server.stop();
}
