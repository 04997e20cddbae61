/**
 * npm run bench:redis -- [--clients 2000] [--channels 1] [--rate 5] [--duration 10] [--transport ws] [--redis URL]
 *
 * What the Redis backplane costs, in one run: the same fan-out against
 *   1. one node without Redis (`rtbench serve`),
 *   2. one node on Redis (`serve --redis`: each publish goes through Redis and comes back through its stream),
 *   3. two nodes on one Redis, the clients split between them.
 * The nodes listen on 127.0.0.2 and 127.0.0.3 on one port, so the run's
 * clients spread over them (--target-hosts); the publisher posts to the first
 * node, so the second node's subscribers get everything through Redis.
 * Printed: delivered updates per second, p50/p99 delivery latency, CPU per
 * delivered update (the nodes, and Redis), and each case against the first as
 * ratios (the cost of the backplane). Then, on the same nodes without
 * load, one message at a time: POST to 202 and POST to delivery on the last
 * node (the backplane's own hop, which the loaded figures drown in noise on
 * a shared machine). A redis-server (the Debian package) is
 * started on a free loopback port unless --redis names one. Bounded: one
 * process per node, every process stopped at the end (also on error).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { request } from 'undici';
import WebSocket from 'ws';
import { ProgressPrinter, progressText } from '../dist/cli/progress-printer.js';
import { Orchestrator, type Progress } from '../dist/harness/orchestrator.js';
import { loadScenario } from '../dist/scenarios/builtin.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    channels: { type: 'string', default: '1' },
    rate: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    transport: { type: 'string', default: 'ws' },
    redis: { type: 'string' },
  },
});
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const NODE_ADDRESSES = ['127.0.0.2', '127.0.0.3'];
const CASES = [
  { name: '1 node, no Redis', nodes: 1, redis: false },
  { name: '1 node + Redis', nodes: 1, redis: true },
  { name: '2 nodes + Redis', nodes: 2, redis: true },
];

/** utime + stime of a process, in seconds (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A port free on every node address (the nodes share it, each on its own address). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', reject);
      probe.listen(0, NODE_ADDRESSES[0], () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const ok = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, NODE_ADDRESSES[1], () => probe.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await once(child, 'exit');
  clearTimeout(timer);
}

async function startRedis(): Promise<Started & { url: string }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rtbench-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  child.once('error', (error) =>
    console.error(`bench:redis: could not start redis-server (apt-get install redis-server): ${error.message}`),
  );
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    const up = await client.connect().then(
      () => client.ping().then(() => true),
      () => false,
    );
    client.disconnect();
    if (up) return { child, url, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`redis-server did not answer on ${url}`);
}

async function startNode(host: string, port: number, extra: string[]): Promise<Started> {
  const child = spawn(process.execPath, [CLI, 'serve', '--host', host, '--port', String(port), ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      if (/listening on/.test(String(chunk))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`node on ${host}:${port} exited with ${code}`)));
  });
  return { child, stop: () => stopChild(child) };
}

/** The value at quantile q of sorted numbers. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * One message at a time, with no fan-out load: a subscriber on `subscribeUrl`
 * (the last node), publishes on `publishUrl` (the first). Times in ms from
 * the POST to its 202, and to the message at the subscriber: the backplane's
 * own hop, without the queueing of a loaded node.
 */
async function hop(publishUrl: string, subscribeUrl: string, count: number): Promise<Record<string, number>> {
  const socket = new WebSocket(`${subscribeUrl.replace('http', 'ws')}/ws`);
  const arrived = new Map<number, number>();
  let wake: (() => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { op?: string; seq?: number };
      if (message.op === 'subscribed') resolve();
      else if (message.seq !== undefined) {
        arrived.set(message.seq, performance.now());
        wake?.();
      }
    });
    socket.once('open', () => socket.send(JSON.stringify({ op: 'subscribe', channel: 'hop' })));
  });
  const posts: number[] = [];
  const deliveries: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const answer = await request(`${publishUrl}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'hop', data: i }),
      });
      const { seq } = (await answer.body.json()) as { seq: number };
      posts.push(performance.now() - start);
      while (!arrived.has(seq)) await new Promise<void>((resolve) => (wake = resolve));
      deliveries.push(arrived.get(seq)! - start);
    }
  } finally {
    socket.terminate();
  }
  posts.sort((a, b) => a - b);
  deliveries.sort((a, b) => a - b);
  return {
    publish_p50_ms: round(quantile(posts, 0.5), 2),
    publish_p99_ms: round(quantile(posts, 0.99), 2),
    hop_p50_ms: round(quantile(deliveries, 0.5), 2),
    hop_p99_ms: round(quantile(deliveries, 0.99), 2),
  };
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

const base = await loadScenario('smoke');
const transport = values.transport as 'ws';
const rate = Number(values.rate);
const ownRedis = values.redis ? undefined : await startRedis();
const redisUrl = values.redis ?? ownRedis!.url;
const redisPid = ownRedis?.child.pid;
const rows: Record<string, number | string>[] = [];
const hops: Record<string, number | string>[] = [];
try {
  for (const [index, testCase] of CASES.entries()) {
    const port = await freePort();
    const args = ['--history', String(Math.max(1000, rate * 60))];
    if (testCase.redis) args.push('--redis', redisUrl, '--redis-prefix', `bench-${Date.now()}-${index}:`);
    const nodes: Started[] = [];
    try {
      for (const host of NODE_ADDRESSES.slice(0, testCase.nodes)) nodes.push(await startNode(host, port, args));
      const pids = nodes.map((n) => n.child.pid!);
      const cpuBefore = pids.map(cpuSeconds);
      const redisBefore = testCase.redis && redisPid ? cpuSeconds(redisPid) : 0;
      const scenario = {
        ...base,
        name: 'redis-backplane',
        transports: [transport],
        clients: Number(values.clients),
        channels: Number(values.channels),
        rate,
        payloadBytes: 64,
        durationMs: Number(values.duration) * 1000,
        rampPerSec: 2000,
        drainMs: 5000,
      };
      const orchestrator = new Orchestrator(scenario, {
        target: `http://${NODE_ADDRESSES[0]}:${port}`,
        targetHosts: NODE_ADDRESSES.slice(0, testCase.nodes),
        targetPid: pids[0],
      });
      const printer = new ProgressPrinter(process.stderr);
      orchestrator.on('progress', (p: Progress) => printer.update(progressText(p, testCase.name), p.phase));
      const result = await orchestrator.run();
      printer.done();
      const nodeCpu = pids.map(cpuSeconds).reduce((sum, after, i) => sum + after - cpuBefore[i]!, 0);
      const redisCpu = testCase.redis && redisPid ? cpuSeconds(redisPid) - redisBefore : 0;
      // After the CPU figures, which are the run's alone.
      const single = await hop(`http://${NODE_ADDRESSES[0]}:${port}`, `http://${NODE_ADDRESSES[testCase.nodes - 1]}:${port}`, 400);
      hops.push({ case: testCase.name, ...single });
      const t = result.transports[transport]!;
      const window = t.phases_s!.steady + t.phases_s!.drain;
      rows.push({
        case: testCase.name,
        clients: `${t.clients.open}/${t.clients.target}`,
        'delivered/expected': `${t.updates.delivered}/${t.updates.expected}`,
        'lost/dup/reord': `${t.updates.lost}/${t.updates.duplicated}/${t.updates.reordered}`,
        updates_per_s: Math.round(t.bytes.steady!.delivered / window),
        'achieved/intended per s': `${Math.round(t.rate.achieved)}/${Math.round(t.rate.intended)}`,
        p50_ms: round(t.latency_us.p50 / 1000, 2),
        p99_ms: round(t.latency_us.p99 / 1000, 2),
        node_cpu_s: round(nodeCpu, 2),
        redis_cpu_s: round(redisCpu, 2),
        cpu_us_per_update: round(((nodeCpu + redisCpu) / t.updates.delivered) * 1e6, 2),
      });
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  }
} finally {
  await ownRedis?.stop();
}

console.log('Fan-out under load (the run):');
console.table(rows);
console.log('One message at a time, published on the first node, received on the last (400 messages):');
console.table(hops);
const [local, one, two] = rows as { updates_per_s: number; p99_ms: number; cpu_us_per_update: number }[];
const [hopLocal, hopOne, hopTwo] = hops as { hop_p50_ms: number; publish_p50_ms: number }[];
const ratios = {
  'updates/s: 1 node + Redis / no Redis': round(one!.updates_per_s / local!.updates_per_s),
  'updates/s: 2 nodes + Redis / no Redis': round(two!.updates_per_s / local!.updates_per_s),
  'p99: 1 node + Redis / no Redis': round(one!.p99_ms / local!.p99_ms),
  'p99: 2 nodes + Redis / no Redis': round(two!.p99_ms / local!.p99_ms),
  'CPU per update: 1 node + Redis / no Redis': round(one!.cpu_us_per_update / local!.cpu_us_per_update),
  'CPU per update: 2 nodes + Redis / no Redis': round(two!.cpu_us_per_update / local!.cpu_us_per_update),
  'one message, publish to delivery p50: 1 node + Redis / no Redis': round(hopOne!.hop_p50_ms / hopLocal!.hop_p50_ms),
  'one message, publish to delivery p50: 2 nodes + Redis / no Redis': round(hopTwo!.hop_p50_ms / hopLocal!.hop_p50_ms),
  'one message, POST to 202 p50: 1 node + Redis / no Redis': round(hopOne!.publish_p50_ms / hopLocal!.publish_p50_ms),
};
console.table(ratios);
mkdirSync('reports', { recursive: true });
writeFileSync('reports/bench-redis.json', `${JSON.stringify({ settings: values, rows, hops, ratios }, null, 2)}\n`);
