/**
 * npm run bench:socketio-handoff -- [--clients 300] [--workers 2] [--wait 10] [--read-stop]
 *
 * Why a few WebSocket-only sessions of bench:socketio-20k never get their
 * namespace CONNECT answered (and the server closes them at socket.io's
 * connectTimeout, 45 s). It starts the chat cluster of
 * bench/socketio-cluster/server.mjs with bench/socketio-cluster/handoff-watch.mjs
 * loaded into its primary, which counts the reads the primary makes on
 * sockets it has already handed to a worker, then opens `--clients`
 * WebSocket-only chat clients (5 ms apart, no retries) and, after `--wait`
 * seconds, prints how many opened, how many got the Engine.IO open packet
 * but no answer to their CONNECT, and the primary's reads on handed-off
 * sockets. `--read-stop` makes the primary stop reading before the handoff.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadAdapter } from '../dist/adapter/load.js';
import { adapterContext } from '../dist/clients/adapter/adapter-context.js';
import { AdapterSocketIoClient } from '../dist/clients/adapter/adapter-socketio-client.js';
import { ByteMeter } from '../dist/metrics/byte-meter.js';
import { DeliveryRecorder } from '../dist/metrics/delivery-recorder.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '300' },
    workers: { type: 'string', default: '2' },
    wait: { type: 'string', default: '10' },
    'read-stop': { type: 'boolean', default: false },
  },
});

let handoffReads = 0;

/** The cluster with the watch in its primary; resolves with its port once it listens. */
function startChat(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', './bench/socketio-cluster/handoff-watch.mjs', 'bench/socketio-cluster/server.mjs'], {
    env: { ...process.env, PORT: '0', WORKERS: values.workers, HANDOFF_READ_STOP: values['read-stop'] ? '1' : '0' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket.io chat did not listen within 30 s')), 30_000);
    child.once('exit', (code, signal) => reject(new Error(`the socket.io chat exited (${signal ?? code})`)));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      handoffReads += text.match(/^handoff-read /gm)?.length ?? 0;
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port) });
      }
    });
  });
}

const { child, port } = await startChat();
const clients: AdapterSocketIoClient[] = [];
try {
  const { adapter } = await loadAdapter('bench/socketio-cluster/adapter-websocket.mjs');
  const context = adapterContext(adapter, 'handoff', 16);
  const env = {
    meter: new ByteMeter(),
    deliveries: new DeliveryRecorder(),
    settings: {
      headers: 'minimal',
      conditional: false,
      pollIntervalMs: 1000,
      longPollTimeoutMs: 20_000,
      pollingOnly: false,
      reconnect: false,
      echoRate: 0,
    },
    onReconnect: () => {},
    onError: () => {},
  } as const;
  let failed = 0;
  for (let i = 0; i < Number(values.clients); i++) {
    const client = new AdapterSocketIoClient(context, env, { host: '127.0.0.1', port }, `ch${i % 10}`);
    clients.push(client);
    client.open().catch(() => failed++);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, Number(values.wait) * 1000));
  const opening = clients.filter((client) => client.state === 'connecting');
  const row = {
    read_stop: values['read-stop'],
    clients: clients.length,
    open: clients.filter((client) => client.state === 'open').length,
    failed,
    // On WebSocket only, `transport` turns to websocket with the Engine.IO open packet: these sent their CONNECT.
    connect_unanswered: opening.filter((client) => client.transport === 'websocket').length,
    no_open_packet: opening.filter((client) => client.transport !== 'websocket').length,
    primary_reads_on_handed_off_sockets: handoffReads,
  };
  console.log(JSON.stringify(row));
} finally {
  for (const client of clients) client.close();
  child.kill('SIGTERM');
}
