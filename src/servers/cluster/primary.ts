/**
 * `rtbench serve --workers N`: N processes share one port through the
 * cluster module with SCHED_NONE (the kernel spreads accepted connections;
 * round-robin would pass every socket through this process). This process is
 * the sequencer: workers send it what clients publish, it numbers each
 * message in its own hub and forwards it to every worker over IPC, which
 * keeps per-worker order. It serves no client itself.
 */
import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import { resolveConfig, type ServerConfig } from '../config.js';
import { CONFIG_ENV, isRtbMessage, type ToPrimary, type ToWorker } from './messages.js';
import { stopReading } from './socket-handoff.js';
import { Hub } from '../hub.js';

export interface ClusterHandle {
  port: number;
  workers: number;
  close(): Promise<void>;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.js', import.meta.url));

export async function startCluster(partial: Partial<ServerConfig>, workerCount: number): Promise<ClusterHandle> {
  if (!cluster.isPrimary) throw new Error('startCluster must run in the primary process');
  const config = resolveConfig(partial);
  const sequencer = new Hub({ historySize: config.historySize });
  const aggregator = new AggregatorRegistry();
  const ready = new Set<Worker>();
  let closing = false;

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Workers hold thousands of mostly idle connections: a small young
  // generation keeps each worker's footprint close to what its sockets need.
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], execArgv: [...process.execArgv, '--max-semi-space-size=2'] });

  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };
  const relayPorts = new Map<Worker, number>();
  const announcePeers = () => {
    const ports = [...relayPorts.values()];
    for (const peer of ready) send(peer, { type: 'rtb:peers', ports });
  };

  const onMessage = (worker: Worker, message: unknown, handle?: unknown) => {
    if (!isRtbMessage(message)) return;
    const request = message as ToPrimary;
    switch (request.type) {
      case 'rtb:handoff': {
        // A socket on its way from the worker that accepted it to the one that
        // owns its session; the handle passes through, the bytes do not.
        const socket = handle as net.Socket | undefined;
        const owner = [...relayPorts].find(([, port]) => port === request.to)?.[0];
        if (!socket) return;
        stopReading(socket);
        if (owner?.isConnected()) owner.send({ type: 'rtb:handoff', head: request.head, rest: request.rest }, socket);
        else socket.destroy();
        return;
      }
      case 'rtb:hello':
        send(worker, { type: 'rtb:restore', messages: sequencer.snapshot() });
        send(worker, { type: 'rtb:peers', ports: [...relayPorts.values()] });
        ready.add(worker);
        return;
      case 'rtb:relay':
        relayPorts.set(worker, request.port);
        announcePeers();
        return;
      case 'rtb:publish': {
        const messages = request.inputs.map((input) => sequencer.publish(input).toJSON());
        for (const peer of ready) send(peer, { type: 'rtb:deliver', messages });
        send(worker, { type: 'rtb:published', id: request.id, seqs: messages.map((m) => m.seq) });
        return;
      }
      case 'rtb:metrics':
        aggregator.clusterMetrics().then(
          (text) => send(worker, { type: 'rtb:metrics', id: request.id, text }),
          (error: Error) => send(worker, { type: 'rtb:metrics', id: request.id, error: error.message }),
        );
        return;
    }
  };

  const fork = () => cluster.fork({ [CONFIG_ENV]: JSON.stringify(config) });

  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    ready.delete(worker);
    if (relayPorts.delete(worker) && !closing) announcePeers();
    if (closing || listeningCount < workerCount) return;
    console.error(`rtbench serve: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  };

  cluster.on('message', onMessage);
  cluster.on('exit', onExit);

  let listeningCount = 0;
  const listening = new Promise<void>((resolve, reject) => {
    const onListening = () => {
      if (++listeningCount === workerCount) {
        cluster.off('listening', onListening);
        cluster.off('exit', onEarlyExit);
        resolve();
      }
    };
    const onEarlyExit = (worker: Worker, code: number | null) => {
      cluster.off('listening', onListening);
      cluster.off('exit', onEarlyExit);
      reject(new Error(`worker ${worker.process.pid} exited with ${code} before listening`));
    };
    cluster.on('listening', onListening);
    cluster.on('exit', onEarlyExit);
  });

  // Port 0 asks for a free port. Workers must all name the same port to
  // share one listening socket, so the primary picks it first.
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  config.port = port;
  for (let i = 0; i < workerCount; i++) fork();
  try {
    await listening;
  } catch (error) {
    closing = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    throw error;
  }

  return {
    port,
    workers: workerCount,
    close: async () => {
      closing = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              const kill = setTimeout(() => worker.process.kill('SIGKILL'), 5000);
              worker.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              send(worker, { type: 'rtb:shutdown' });
            }),
        ),
      );
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
