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
import { CONFIG_ENV, isRtbMessage, SECRET_ENV, type ToPrimary, type ToWorker } from './messages.js';
import { stopReading } from './socket-handoff.js';
import { Hub } from '../hub.js';

export interface ClusterHandle {
  port: number;
  workers: number;
  close(): Promise<void>;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** The primary's state: the sequencer hub, the workers and their relay ports. */
class Primary {
  readonly sequencer: Hub;
  readonly aggregator = new AggregatorRegistry();
  /** Workers that asked for the history: they get every message from then on. */
  readonly ready = new Set<Worker>();
  readonly relayPorts = new Map<Worker, number>();
  closing = false;
  listening = 0;

  constructor(
    readonly config: ServerConfig,
    readonly workerCount: number,
  ) {
    this.sequencer = new Hub({ historySize: config.historySize });
  }

  fork(): void {
    // A process's environment is readable in /proc while it lives, and
    // copied into whatever it starts: the secret reaches workers over IPC
    // (rtb:secret), and an undefined value drops the inherited variable.
    cluster.fork({ [CONFIG_ENV]: JSON.stringify({ ...this.config, secret: undefined }), [SECRET_ENV]: undefined });
  }

  send(worker: Worker, message: ToWorker): void {
    if (worker.isConnected()) worker.send(message);
  }

  announcePeers(): void {
    const ports = [...this.relayPorts.values()];
    for (const peer of this.ready) this.send(peer, { type: 'rtb:peers', ports });
  }

  readonly onMessage = (worker: Worker, message: unknown, handle?: unknown): void => {
    if (!isRtbMessage(message)) return;
    const request = message as ToPrimary;
    switch (request.type) {
      case 'rtb:handoff':
        this.#forwardHandoff(request, handle as net.Socket | undefined);
        return;
      case 'rtb:hello':
        this.send(worker, { type: 'rtb:secret', secret: this.config.secret });
        this.send(worker, { type: 'rtb:restore', messages: this.sequencer.snapshot() });
        this.send(worker, { type: 'rtb:peers', ports: [...this.relayPorts.values()] });
        this.ready.add(worker);
        return;
      case 'rtb:relay':
        this.relayPorts.set(worker, request.port);
        this.announcePeers();
        return;
      case 'rtb:publish': {
        const messages = request.inputs.map((input) => this.sequencer.publish(input).toJSON());
        for (const peer of this.ready) this.send(peer, { type: 'rtb:deliver', messages });
        this.send(worker, { type: 'rtb:published', id: request.id, seqs: messages.map((m) => m.seq) });
        return;
      }
      case 'rtb:metrics':
        this.aggregator.clusterMetrics().then(
          (text) => this.send(worker, { type: 'rtb:metrics', id: request.id, text }),
          (error: Error) => this.send(worker, { type: 'rtb:metrics', id: request.id, error: error.message }),
        );
        return;
    }
  };

  /**
   * A socket on its way from the worker that accepted it to the one that
   * owns its session; the handle passes through, the bytes do not.
   */
  #forwardHandoff(request: Extract<ToPrimary, { type: 'rtb:handoff' }>, socket: net.Socket | undefined): void {
    const owner = [...this.relayPorts].find(([, port]) => port === request.to)?.[0];
    if (!socket) return;
    stopReading(socket);
    if (owner?.isConnected()) owner.send({ type: 'rtb:handoff', head: request.head, rest: request.rest }, socket);
    else socket.destroy();
  }

  readonly onExit = (worker: Worker, code: number | null, signal: string | null): void => {
    this.ready.delete(worker);
    if (this.relayPorts.delete(worker) && !this.closing) this.announcePeers();
    if (this.closing || this.listening < this.workerCount) return;
    console.error(`rtbench serve: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    this.fork();
  };

  /** Resolves once every worker listens; rejects when one exits before. */
  allListening(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onListening = () => {
        if (++this.listening === this.workerCount) {
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
  }

  detach(): void {
    cluster.off('message', this.onMessage);
    cluster.off('exit', this.onExit);
  }

  /** Asks every worker to shut down; kills those that take longer than 5 s. */
  async stopWorkers(): Promise<void> {
    this.closing = true;
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
            this.send(worker, { type: 'rtb:shutdown' });
          }),
      ),
    );
    this.detach();
  }
}

export async function startCluster(partial: Partial<ServerConfig>, workerCount: number): Promise<ClusterHandle> {
  if (!cluster.isPrimary) throw new Error('startCluster must run in the primary process');
  const primary = new Primary(resolveConfig(partial), workerCount);
  const { config } = primary;

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Workers hold thousands of mostly idle connections: a small young
  // generation keeps each worker's footprint close to what its sockets need.
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], execArgv: [...process.execArgv, '--max-semi-space-size=2'] });
  cluster.on('message', primary.onMessage);
  cluster.on('exit', primary.onExit);
  const listening = primary.allListening();

  // Port 0 asks for a free port. Workers must all name the same port to
  // share one listening socket, so the primary picks it first.
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  config.port = port;
  for (let i = 0; i < workerCount; i++) primary.fork();
  try {
    await listening;
  } catch (error) {
    primary.closing = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    primary.detach();
    throw error;
  }
  return { port, workers: workerCount, close: () => primary.stopWorkers() };
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
