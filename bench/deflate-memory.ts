/**
 * npm run bench:deflate -- [--clients 2000] [--messages 5]
 *
 * What permessage-deflate costs in memory per connection, on both sides:
 * for each server setting (no deflate; deflate with context takeover, the
 * default; a 1 KB window; no server context takeover) one `rtbench serve`
 * process and `--clients` lean ws+deflate clients in this process, each
 * having received `--messages` compressed updates. Server: its RSS (from
 * /proc, zlib's memory is outside the JS heap) with the clients connected
 * minus before, per connection. Clients: this process's RSS and heap after
 * a forced GC, the same way. Run with --expose-gc (the npm script does).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from '../dist/clients/registry.js';
import { startServerProcess } from '../dist/harness/server-process.js';
import { benchClientEnvironment } from './client-env.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '2000' }, messages: { type: 'string', default: '5' } } });
const clients = Number(values.clients);
const messages = Number(values.messages);
if (!Number.isInteger(clients) || clients < 1 || clients > 15_000 || !Number.isInteger(messages) || messages < 1 || messages > 1000) {
  console.error('bench:deflate: --clients 1-15000, --messages 1-1000');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('bench:deflate: run with node --expose-gc (npm run bench:deflate does)');
  process.exit(2);
}

const SETTINGS: { name: string; args: string[]; transport: 'ws' | 'ws+deflate' }[] = [
  { name: 'ws, no deflate', args: [], transport: 'ws' },
  { name: 'ws+deflate, defaults (window 15, context takeover)', args: ['--ws-deflate'], transport: 'ws+deflate' },
  {
    name: 'ws+deflate, server window 10 (1 KB)',
    args: ['--ws-deflate', '--deflate-server-max-window-bits', '10'],
    transport: 'ws+deflate',
  },
  {
    name: 'ws+deflate, no server context takeover',
    args: ['--ws-deflate', '--deflate-server-no-context-takeover'],
    transport: 'ws+deflate',
  },
];

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}
const settle = async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc!();
  gc!();
  return process.memoryUsage();
};
const perClient = (kb: number) => Math.round((kb / clients) * 100) / 100;

const rows: Record<string, string | number>[] = [];
for (const setting of SETTINGS) {
  process.stderr.write(`bench:deflate: ${setting.name}, ${clients} clients ...\n`);
  const server = await startServerProcess(['--host', '127.0.0.1', ...setting.args]);
  try {
    const env = benchClientEnvironment();
    const serverBefore = rssKb(server.pid);
    const before = await settle();
    const open = [];
    for (let i = 0; i < clients; i += 200) {
      const batch = Array.from({ length: Math.min(200, clients - i) }, (_, j) => {
        const client = createClient(setting.transport, env, { host: '127.0.0.1', port: server.port }, `c${(i + j) % 100}`);
        return client.open().then(() => client);
      });
      open.push(...(await Promise.all(batch)));
    }
    for (let m = 0; m < messages; m++) {
      const channels = Array.from({ length: 100 }, (_, i) => `c${i}`);
      const data = { symbol: 'ACME', price: 100 + m, volume: 1000 * m };
      await fetch(`http://127.0.0.1:${server.port}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: channels, event: 'update', data }),
      });
    }
    const deadline = Date.now() + 60_000;
    while (env.deliveries.delivered < clients * messages && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (env.deliveries.delivered < clients * messages)
      throw new Error(`${setting.name}: ${env.deliveries.delivered} of ${clients * messages} delivered`);
    const after = await settle();
    const serverAfter = rssKb(server.pid);
    const wire = env.meter.snapshot();
    rows.push({
      setting: setting.name,
      server_rss_kb_per_conn: perClient(serverAfter - serverBefore),
      client_rss_kb_per_conn: perClient((after.rss - before.rss) / 1024),
      client_heap_kb_per_conn: perClient((after.heapUsed - before.heapUsed) / 1024),
      down_b_per_conn: Math.round(wire.down / clients),
    });
    for (const client of open) client.close();
  } finally {
    await server.stop();
  }
}
console.log(`permessage-deflate memory: ${clients} connections, ${messages} updates each`);
console.table(rows);
