/**
 * npm run bench:socketio-20k -- [--clients 20000] [--workers 2] [--channels 100] [--rate 1] [--duration 20] [--ramp 1000]
 *                               [--adapter bench/socketio-cluster/adapter-websocket.mjs]
 *
 * rtbench against a socket.io 4 app it knows nothing about, at 20,000
 * clients: the chat of examples/socketio-chat, run as socket.io's docs show
 * for several processes (bench/socketio-cluster/server.mjs: node cluster,
 * @socket.io/sticky, @socket.io/cluster-adapter; one process holds at most
 * 20,000 files, so the single-process example cannot hold 20,000 sockets),
 * driven through the example's adapter by what `rtbench run --target URL
 * --adapter FILE --transports fallback` runs (the Orchestrator, with the
 * same options), the clients spread over 127.0.0.2-127.0.0.9 (--target-hosts;
 * the chat listens on all addresses) and the publisher on 127.0.0.1.
 *
 * Prints clients open, their open retries (first opens that failed and were
 * retried on a new session, as socket.io-client does), delivered / expected, lost, and the steady phase's
 * wire bytes per update twice: as rtbench's meter counted them, and as the
 * kernel counted the same client sockets (`ss -tin` just before the
 * steady-start mark and just after the steady-end mark; socket.io's pings
 * in the moments between a snapshot and its mark are the only traffic one
 * sees and the other does not).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { loadAdapter } from '../dist/adapter/load.js';
import { ProgressPrinter, progressText } from '../dist/cli/progress-printer.js';
import { Orchestrator, type Progress } from '../dist/harness/orchestrator.js';
import { parseScenario } from '../dist/scenarios/schema.js';
import { type SocketBytes, socketBytesTo } from './socket-bytes.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '2' },
    channels: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1' },
    duration: { type: 'string', default: '20' },
    ramp: { type: 'string', default: '1000' },
    adapter: { type: 'string', default: 'bench/socketio-cluster/adapter-websocket.mjs' },
  },
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The chat cluster, once its primary listens; it dies with this process (it watches the stdin this process holds). */
function startChat(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bench/socketio-cluster/server.mjs'], {
    env: { ...process.env, PORT: String(port), WORKERS: values.workers },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket.io chat did not listen within 30 s')), 30_000);
    child.once('exit', (code, signal) => reject(new Error(`the socket.io chat exited (${signal ?? code})`)));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      process.stderr.write(text);
      if (text.includes('listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });
}

const port = await freePort();
const chat = await startChat(port);
const target = `http://127.0.0.1:${port}`;
try {
  const adapter = await loadAdapter(values.adapter!);
  const scenario = parseScenario(
    {
      name: 'socketio-20k',
      transports: ['fallback'],
      clients: Number(values.clients),
      channels: Number(values.channels),
      rate: Number(values.rate),
      payloadBytes: 16,
      durationMs: Number(values.duration) * 1000,
      rampPerSec: Number(values.ramp),
      drainMs: 5000,
    },
    'bench',
  );
  console.error(
    `rtbench run --target ${target} --adapter ${values.adapter} --transports fallback --clients ${values.clients} ` +
      `--channels ${values.channels} --rate ${values.rate} --duration ${values.duration}s --ramp ${values.ramp} (as the Orchestrator)`,
  );
  let before: SocketBytes | undefined;
  let after: SocketBytes | undefined;
  const orchestrator = new Orchestrator(scenario, {
    target,
    // The clients on 127.0.0.2-127.0.0.9, the publisher on 127.0.0.1: the kernel's count of the clients' sockets leaves it out.
    targetHosts: Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`),
    adapter,
    onRamped: async () => {
      before = socketBytesTo(port, '127.0.0.1');
    },
    onSteadyEnd: async () => {
      after = socketBytesTo(port, '127.0.0.1');
    },
  });
  const printer = new ProgressPrinter(process.stderr);
  orchestrator.on('progress', (p: Progress) => printer.update(progressText(p), p.phase));
  orchestrator.on('event', (e: { kind: string; message: string }) => {
    printer.done();
    console.error(`event ${e.kind}: ${e.message}`);
  });
  process.once('SIGINT', () => orchestrator.abort());
  const result = await orchestrator.run();
  printer.done();
  const t = result.transports.fallback!;
  const steady = t.bytes.steady!;
  const kernelDown = after && before ? after.received - before.received : Number.NaN;
  const kernelUp = after && before ? after.acked - before.acked : Number.NaN;
  const row = {
    status: result.status,
    clients_open: `${t.clients.open}/${t.clients.target}`,
    failed: t.clients.failed,
    connecting: t.clients.connecting,
    open_retries: t.clients.open_retries,
    connections_seen_by_kernel: `${before?.connections}/${after?.connections}`,
    ss_read_ms: `${before?.readMs}/${after?.readMs}`,
    delivered: `${t.updates.delivered}/${t.updates.expected}`,
    lost: t.updates.lost,
    dup: t.updates.duplicated,
    reord: t.updates.reordered,
    ramp_s: t.phases_s?.ramp,
    p50_ms: t.latency_us.p50 / 1000,
    p99_ms: t.latency_us.p99 / 1000,
    rtbench_steady_down_up: `${steady.down}/${steady.up}`,
    kernel_steady_down_up: `${kernelDown}/${kernelUp}`,
    rtbench_bytes_per_update: t.bytes.per_update,
    kernel_bytes_per_update: Math.round(((kernelDown + kernelUp) / steady.delivered) * 100) / 100,
    difference_pct: Math.round(((kernelDown + kernelUp - steady.down - steady.up) / (steady.down + steady.up)) * 1e6) / 1e4,
  };
  console.log(JSON.stringify(row));
  console.table([row]);
  // The causes of failed first opens (retried or not) and of lost connections, counted by message.
  for (const error of t.errors ?? []) console.error(`error: ${error}`);
  if (result.problems?.length) console.error(`problems: ${result.problems.join('; ')}`);
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench-socketio-20k.json', `${JSON.stringify(result, null, 2)}\n`);
  if (result.status !== 'ok' || t.updates.lost > 0) process.exitCode = 1;
} finally {
  chat.kill('SIGTERM');
}
