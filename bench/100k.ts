/**
 * npm run bench:100k -- [--transports ws,long-poll,sse,short-poll] [--duration 60s] [--clients 100000]
 *
 * The talk's scale on this machine: 100,000 clients per transport, one update
 * a second on each of 100 channels, 60 s steady. Prints, per transport, what
 * the issue asks for: connections held, the whole run's wall time, the RSS
 * of every rtbench process together (sampled as one tree), loss, the achieved
 * against the intended update rate, latency and CPU per update, and each
 * server worker's connections at the end of the ramp (the spread between
 * the busiest and the idlest worker; a worker stops accepting at
 * --max-connections, 7/8 of its file-descriptor limit by default).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ProgressPrinter, progressText } from '../dist/cli/progress-printer.js';
import { Orchestrator, type Progress } from '../dist/harness/orchestrator.js';
import { ProcessTreeSampler } from '../dist/harness/process-stats.js';
import { loadScenario } from '../dist/scenarios/builtin.js';
import type { TransportName } from '../dist/clients/registry.js';
import { embeddedServerPort, type WorkerCount, workerSpread } from './server-spread.js';

const { values } = parseArgs({
  options: {
    transports: { type: 'string', default: 'ws,long-poll,sse,short-poll' },
    duration: { type: 'string', default: '60' },
    clients: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '1' },
  },
});

const talk = await loadScenario('talk');
const rows: Record<string, unknown>[] = [];
for (const transport of values.transports!.split(',') as TransportName[]) {
  const scenario = {
    ...talk,
    transports: [transport],
    clients: Number(values.clients),
    durationMs: Number(values.duration) * 1000,
    rate: Number(values.rate),
  };
  const tree = new ProcessTreeSampler(process.pid);
  tree.start(500);
  const started = performance.now();
  let port: number | undefined;
  let workers: WorkerCount[] | undefined;
  const orchestrator = new Orchestrator(scenario, {
    onRamped: async () => {
      workers = port === undefined ? undefined : await workerSpread(port).catch(() => undefined);
      if (workers) console.error(`\n${transport} at the end of the ramp, connections per worker: ${spreadText(workers)}`);
    },
  });
  const printer = new ProgressPrinter(process.stderr);
  orchestrator.on('progress', (p: Progress) => {
    // Found while the ramp starts: later, /proc/net/tcp lists 200,000 sockets.
    if (p.phase === 'ramp' && port === undefined) port = embeddedServerPort();
    printer.update(progressText(p), p.phase);
  });
  const onSigint = () => orchestrator.abort();
  process.once('SIGINT', onSigint);
  const result = await orchestrator.run();
  process.off('SIGINT', onSigint);
  const wallS = (performance.now() - started) / 1000;
  const rss = tree.stop().rssPeakMb;
  printer.done();
  const t = result.transports[transport]!;
  const row = {
    transport,
    clients_open: `${t.clients.open}/${t.clients.target}`,
    failed: t.clients.failed,
    workers_at_ramp_end: workers ? workers.map((w) => w.connections).join(' ') : 'unknown',
    worker_spread: workers ? spread(workers) : '',
    refused: workers ? workers.reduce((sum, w) => sum + w.refused, 0) : '',
    ramp_s: t.phases_s!.ramp,
    wall_s: Math.round(wallS),
    rss_all_mb: rss,
    server_rss_mb: t.processes.server.rss_peak_mb,
    delivered: `${t.updates.delivered}/${t.updates.expected}`,
    lost: t.updates.lost,
    dup: t.updates.duplicated,
    reord: t.updates.reordered,
    updates_per_s: `${t.rate.achieved}/${t.rate.intended}`,
    polls_per_s: t.rate.polls_intended === undefined ? '' : `${t.rate.polls_achieved}/${t.rate.polls_intended}`,
    saturated: t.rate.saturated,
    p50_ms: t.latency_us.p50 / 1000,
    p99_ms: t.latency_us.p99 / 1000,
    bytes_per_update: t.bytes.per_update,
    server_cpu_us_per_update: t.processes.server.cpu_us_per_update,
    client_cpu_us_per_update: t.processes.clients.cpu_us_per_update,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  mkdirSync('reports', { recursive: true });
  writeFileSync(`reports/bench-100k-${transport}.json`, `${JSON.stringify(result, null, 2)}\n`);
}
console.table(rows);

function spread(workers: WorkerCount[]): number {
  const counts = workers.map((w) => w.connections);
  return Math.max(...counts) - Math.min(...counts);
}

function spreadText(workers: WorkerCount[]): string {
  const refused = workers.reduce((sum, w) => sum + w.refused, 0);
  return `${workers.map((w) => `${w.pid}: ${w.connections}`).join(', ')} (spread ${spread(workers)}, refused ${refused})`;
}
