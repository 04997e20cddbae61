/**
 * npm run bench:peers -- [--clients 15000] [--rate 10] [--duration 10]
 *
 * The same WebSocket fan-out, in one run, against three single-process
 * servers: rtbench's own (`rtbench serve`, /ws), a minimal `ws` broadcast
 * server, and the real socket.io server (Engine.IO upgrade, Socket.IO
 * events). All clients listen on one channel; the publisher asks for more
 * than any of them can deliver, so each runs at its own ceiling. Printed:
 * updates delivered per second, server CPU per update, and server memory per
 * idle connection (RSS and, after a forced GC, heap), plus the ratios.
 *
 * One process per server keeps the comparison fair and bounded by the
 * 20,000-file limit: 100,000 clients would need each peer clustered with a
 * cross-process adapter, which is the peers' set-up, not their fan-out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { ProgressPrinter, progressText } from '../dist/cli/progress-printer.js';
import { Orchestrator, type Progress } from '../dist/harness/orchestrator.js';
import { loadScenario } from '../dist/scenarios/builtin.js';
import type { TransportName } from '../dist/clients/registry.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '15000' },
    rate: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
  },
});
const clients = Number(values.clients);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SERVERS: { name: string; transport: TransportName; args: string[] }[] = [
  { name: 'rtbench', transport: 'ws', args: [here('../dist/cli/main.js'), 'serve', '--host', '0.0.0.0', '--port', '0'] },
  { name: 'ws-minimal', transport: 'ws', args: [here('./peers/ws-server.mjs'), '0'] },
  { name: 'socket.io', transport: 'fallback', args: [here('./peers/socketio-server.mjs'), '0'] },
];

async function start(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--expose-gc', '--max-semi-space-size=2', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      const match = /listening on http:\/\/[^\s]+:(\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

async function memory(port: number): Promise<{ rss: number; heap_used: number }> {
  const response = await request(`http://127.0.0.1:${port}/healthz`);
  return ((await response.body.json()) as { memory: { rss: number; heap_used: number } }).memory;
}

const base = await loadScenario('smoke');
const rows: Record<string, number | string>[] = [];
for (const server of SERVERS) {
  const { child, port } = await start(server.args);
  try {
    const idle = await memory(port);
    let loaded = idle;
    const scenario = {
      ...base,
      name: 'peers',
      transports: [server.transport],
      clients,
      channels: 1,
      rate: Number(values.rate),
      payloadBytes: 16,
      durationMs: Number(values.duration) * 1000,
      rampPerSec: 3000,
      drainMs: 3000,
    };
    const orchestrator = new Orchestrator(scenario, {
      target: `http://127.0.0.1:${port}`,
      targetPid: child.pid,
      onRamped: async () => {
        loaded = await memory(port);
      },
    });
    const printer = new ProgressPrinter(process.stderr);
    orchestrator.on('progress', (p: Progress) => printer.update(progressText(p, server.name), p.phase));
    const result = await orchestrator.run();
    printer.done();
    const t = result.transports[server.transport]!;
    const window = t.phases_s!.steady + t.phases_s!.drain;
    rows.push({
      server: server.name,
      clients: `${t.clients.open}/${t.clients.target}`,
      lost: t.updates.lost,
      updates_per_s: Math.round(t.bytes.steady!.delivered / window),
      server_cpu_us_per_update: t.processes.server.cpu_us_per_update ?? 0,
      rss_kb_per_conn: Math.round(((loaded.rss - idle.rss) / 1024 / t.clients.open) * 10) / 10,
      heap_kb_per_conn: Math.round(((loaded.heap_used - idle.heap_used) / 1024 / t.clients.open) * 100) / 100,
      bytes_per_update: t.bytes.per_update,
    });
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

console.table(rows);
const [own, ws, sio] = rows as { updates_per_s: number; server_cpu_us_per_update: number; rss_kb_per_conn: number }[];
const ratios = {
  'rtbench / ws-minimal updates/s': Math.round((own!.updates_per_s / ws!.updates_per_s) * 1000) / 1000,
  'rtbench / socket.io updates/s': Math.round((own!.updates_per_s / sio!.updates_per_s) * 1000) / 1000,
  'rtbench / ws-minimal CPU per update': Math.round((own!.server_cpu_us_per_update / ws!.server_cpu_us_per_update) * 1000) / 1000,
  'rtbench / socket.io CPU per update': Math.round((own!.server_cpu_us_per_update / sio!.server_cpu_us_per_update) * 1000) / 1000,
};
console.table(ratios);
mkdirSync('reports', { recursive: true });
writeFileSync('reports/bench-peers.json', `${JSON.stringify({ clients, rows, ratios }, null, 2)}\n`);
