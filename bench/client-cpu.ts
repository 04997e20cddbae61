/**
 * npm run bench:client-cpu -- [--clients 300] [--interval 200] [--seconds 8]
 *
 * What one poll costs the process that drives the clients, in CPU: the
 * lean HTTP/1.1 short-poll client against its `+h2` variant (Node's HTTP/2
 * client session), each in a fresh process against one `rtbench serve --h2`
 * on loopback. The clients poll every --interval ms; after 2 s of warm-up
 * the process's CPU time (user + system) over --seconds is divided by the
 * polls answered. It explains why short-poll+h2 saturates a client process
 * sooner (README, HTTP/2).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServerProcess } from '../dist/harness/server-process.js';

const VARIANTS = ['short-poll', 'short-poll+h2'] as const;
type Variant = (typeof VARIANTS)[number];

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '300' },
    interval: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '8' },
    worker: { type: 'string' },
    port: { type: 'string' },
  },
});
const clients = Number(values.clients);
const intervalMs = Number(values.interval);
const seconds = Number(values.seconds);
if (![clients, intervalMs, seconds].every((n) => Number.isFinite(n) && n > 0) || clients > 15_000) {
  console.error('bench:client-cpu: --clients (1-15000), --interval (ms) and --seconds must be numbers > 0');
  process.exit(2);
}

interface Cost {
  polls: number;
  cpu_us_per_poll: number;
}

if (values.worker) {
  process.stdout.write(`${JSON.stringify(await measure(values.worker as Variant, Number(values.port)))}\n`);
  process.exit(0);
} else {
  const server = await startServerProcess(['--host', '127.0.0.1', '--h2']);
  try {
    const rows: Record<string, string | number>[] = [];
    for (const variant of VARIANTS) rows.push({ client: variant, ...(await runVariant(variant, server.port)) });
    console.log(`client CPU per poll: ${clients} clients polling every ${intervalMs} ms, ${seconds} s measured, one process`);
    console.table(rows);
  } finally {
    await server.stop();
  }
}

async function runVariant(variant: Variant, port: number): Promise<Cost> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', variant, '--port', String(port)];
  args.push('--clients', String(clients), '--interval', String(intervalMs), '--seconds', String(seconds));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${variant}: worker exited with ${code}`);
  return JSON.parse(out) as Cost;
}

async function measure(variant: Variant, port: number): Promise<Cost> {
  // tsx turns source maps on, which makes every captured stack trace dear; the
  // harness's client processes run plain node (no tsx), and so do these clients.
  process.setSourceMapsEnabled(false);
  const { createClient } = await import('../dist/clients/registry.js');
  const { benchClientEnvironment } = await import('./client-env.js');
  const env = benchClientEnvironment({ pollIntervalMs: intervalMs }, (error) => {
    throw error;
  });
  const fleet = Array.from({ length: clients }, (_, i) => createClient(variant, env, { host: '127.0.0.1', port }, `c${i % 10}`));
  await Promise.all(fleet.map((client) => client.open()));
  const polls = () => fleet.reduce((total, client) => total + (client as unknown as { polls: number }).polls, 0);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const cpu = process.cpuUsage();
  const before = polls();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = process.cpuUsage(cpu);
  const answered = polls() - before;
  for (const client of fleet) client.close();
  return { polls: answered, cpu_us_per_poll: Math.round(((used.user + used.system) / Math.max(1, answered)) * 10) / 10 };
}
