/**
 * npm run bench:clients -- [--clients 5000]
 *
 * What one simulated client costs the process that drives it, for the lean
 * raw-socket clients of src/clients/ (the short-poll ones polling once a
 * second) and for the ordinary client libraries a harness would otherwise
 * use: the `ws` client, the `eventsource` package (on fetch) and undici's
 * Client for long polls; and the `+h2` variants of the lean SSE and
 * long-poll clients (one HTTP/2 session each) and the lean ws+deflate
 * client (its inflate stream holds a zlib window once the compressed
 * `subscribed` answer has come); and the adapter clients
 * (src/clients/adapter/: the lean clients parameterised by an adapter, here
 * one that speaks rtbench's own /ws, /sse, /poll, /long-poll and /socket.io/ as
 * another app would). `--variants a,b` runs some only. Each variant runs in a
 * fresh process (`--expose-gc`): heap and RSS are read after a forced GC
 * before and after `--clients` connections are open and subscribed, and the
 * difference is divided by the count. This is the figure that decides how
 * many clients fit in one fleet process, and why the load clients are
 * hand-written.
 *
 * The server is one `rtbench serve` process on loopback, stopped at the end.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServerProcess } from '../dist/harness/server-process.js';

const VARIANTS = [
  'lean ws',
  'lean ws+deflate',
  'ws library',
  'lean sse',
  'lean sse+h2',
  'eventsource',
  'lean short-poll',
  'lean long-poll',
  'lean long-poll+h2',
  'undici long-poll',
  'lean fallback',
  'adapter ws',
  'adapter sse',
  'adapter short-poll',
  'adapter long-poll',
  'adapter fallback',
] as const;
type LeanTransport = 'ws' | 'ws+deflate' | 'sse' | 'short-poll' | 'long-poll' | 'sse+h2' | 'long-poll+h2' | 'fallback';
type AdapterTransport = 'ws' | 'sse' | 'short-poll' | 'long-poll' | 'fallback';
type Variant = (typeof VARIANTS)[number];

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '5000' },
    worker: { type: 'string' },
    port: { type: 'string' },
    variants: { type: 'string' },
  },
});
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 1 || clients > 15_000) {
  console.error('bench:clients: --clients must be an integer from 1 to 15000 (one process, 20,000 open files)');
  process.exit(2);
}

interface Footprint {
  heap_kb: number;
  rss_kb: number;
}

if (values.worker) {
  const footprint = await measure(values.worker as Variant, clients, Number(values.port));
  process.stdout.write(`${JSON.stringify(footprint)}\n`);
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  // --h2: the +h2 variants' clients speak HTTP/2 (h2c) to the same port; --ws-deflate: only the
  // ws+deflate client offers it, so the others are served as without it.
  const server = await startServerProcess(['--host', '127.0.0.1', '--h2', '--ws-deflate']);
  try {
    const rows: Record<string, string | number>[] = [];
    const chosen = values.variants ? VARIANTS.filter((v) => values.variants!.split(',').includes(v)) : VARIANTS;
    for (const variant of chosen) {
      process.stderr.write(`bench:clients: ${variant}, ${clients} clients ...\n`);
      const footprint = await runVariant(variant, server.port);
      rows.push({ client: variant, heap_kb_per_client: footprint.heap_kb, rss_kb_per_client: footprint.rss_kb });
    }
    console.log(`client footprint, ${clients} subscribed clients per process (heap after a forced GC)`);
    console.table(rows);
  } finally {
    await server.stop();
  }
}

async function runVariant(variant: Variant, port: number): Promise<Footprint> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--worker',
      variant,
      '--port',
      String(port),
      '--clients',
      String(clients),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${variant}: worker exited with ${code}`);
  return JSON.parse(out) as Footprint;
}

// ---- worker: one variant in this process ---------------------------------

async function measure(variant: Variant, count: number, port: number): Promise<Footprint> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const open = await opener(variant, port);
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    gc();
    gc();
    return process.memoryUsage();
  };
  const before = await settle();
  const keep: unknown[] = [];
  // 200 handshakes in flight at a time, like the harness's ramp.
  for (let i = 0; i < count; i += 200) {
    const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) => open(`c${(i + j) % 100}`));
    keep.push(...(await Promise.all(batch)));
  }
  const after = await settle();
  // A lean client that failed after open (an error answer) would hold less and pass for cheap.
  const notOpen = keep.filter((client) => {
    const state = (client as { state?: string }).state;
    return state !== undefined && state !== 'open';
  }).length;
  if (notOpen > 0) throw new Error(`${variant}: ${notOpen} of ${count} clients were not open when measured`);
  const perClient = (bytes: number) => Math.round((bytes / count / 1024) * 100) / 100;
  return { heap_kb: perClient(after.heapUsed - before.heapUsed), rss_kb: perClient(after.rss - before.rss) };
}

type Open = (channel: string) => Promise<unknown>;

async function opener(variant: Variant, port: number): Promise<Open> {
  const base = `127.0.0.1:${port}`;
  switch (variant) {
    case 'lean ws':
    case 'lean ws+deflate':
    case 'lean sse':
    case 'lean short-poll':
    case 'lean long-poll':
    case 'lean sse+h2':
    case 'lean long-poll+h2':
      return leanOpener(variant.slice('lean '.length) as LeanTransport, port);
    case 'lean fallback':
      return leanOpener('fallback', port);
    case 'adapter ws':
    case 'adapter sse':
    case 'adapter short-poll':
    case 'adapter long-poll':
    case 'adapter fallback':
      return adapterOpener(variant.slice('adapter '.length) as AdapterTransport, port);
    case 'ws library': {
      const { WebSocket } = await import('ws');
      return (channel) =>
        new Promise((resolve, reject) => {
          // The server accepts deflate (for the ws+deflate row); this row is ws without it, as before.
          // (Negotiated, the ws client measured 243 KB RSS per client at 3,000: its zlib contexts.)
          const ws = new WebSocket(`ws://${base}/ws`, { perMessageDeflate: false });
          ws.once('open', () => ws.send(JSON.stringify({ op: 'subscribe', channel })));
          ws.once('message', () => resolve(ws));
          ws.once('error', reject);
        });
    }
    case 'eventsource': {
      const { EventSource } = await import('eventsource');
      return (channel) =>
        new Promise((resolve, reject) => {
          const source = new EventSource(`http://${base}/sse?channel=${channel}`);
          source.onopen = () => resolve(source);
          source.onerror = (event) => reject(new Error(`EventSource: ${event.message ?? 'error'}`));
        });
    }
    case 'undici long-poll': {
      const { Client } = await import('undici');
      return async (channel) => {
        const client = new Client(`http://${base}`, { bodyTimeout: 0, headersTimeout: 0 });
        // The poll is held by the server (no message yet): the client is
        // "open" once the request is on the wire.
        void client.request({ path: `/long-poll?channel=${channel}&cursor=0&timeout=300000`, method: 'GET' }).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 0));
        return client;
      };
    }
  }
}

async function leanOpener(transport: LeanTransport, port: number): Promise<Open> {
  const { createClient } = await import('../dist/clients/registry.js');
  const { benchClientEnvironment } = await import('./client-env.js');
  const env = benchClientEnvironment();
  return async (channel) => {
    const client = createClient(transport, env, { host: '127.0.0.1', port }, channel);
    await client.open();
    return client;
  };
}

/** rtbench's own server as an app an adapter drives: the same wire, through the adapter clients. */
function ownServerAdapter() {
  return {
    ws: {
      path: '/ws',
      subscribe: (channel: string) => JSON.stringify({ op: 'subscribe', channel }),
      ready: (message: string) => message.startsWith('{"op":"subscribed"'),
    },
    sse: { path: (channel: string) => `/sse?channel=${channel}` },
    poll: { path: (channel: string) => `/poll?channel=${channel}&cursor=0`, etag: true },
    longPoll: { path: (channel: string) => `/long-poll?channel=${channel}&cursor=0&timeout=300000` },
    socketio: { subscribe: { event: 'subscribe', args: (channel: string) => [{ channel }], ack: true }, updates: ['message'] },
    publish: { http: (channel: string, data: string) => ({ path: '/publish', body: JSON.stringify({ channel, data }) }) },
  };
}

async function adapterOpener(transport: AdapterTransport, port: number): Promise<Open> {
  const { createAdapterClient } = await import('../dist/clients/adapter/adapter-clients.js');
  const { adapterContext } = await import('../dist/clients/adapter/adapter-context.js');
  const { benchClientEnvironment } = await import('./client-env.js');
  const context = adapterContext(ownServerAdapter(), 'bench', 64);
  const env = benchClientEnvironment();
  return async (channel) => {
    const client = createAdapterClient(transport, context, env, { host: '127.0.0.1', port }, channel);
    await client.open();
    return client;
  };
}
