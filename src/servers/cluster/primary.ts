/**
 * `rtbench serve --workers N`: N processes share one port through the
 * cluster module with SCHED_NONE (the kernel spreads accepted connections;
 * round-robin would pass every socket through this process). This process is
 * the sequencer: workers send it what clients publish, it numbers each
 * message in its own hub and forwards it to every worker over IPC, which
 * keeps per-worker order. It serves no client itself; it keeps a copy of the
 * listening socket (accept-coordinator.ts), relays questions about all
 * workers (gather.ts) and replaces workers that exit (restart-policy.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import type { Backplane } from '../backplane.js';
import { resolveConfig, type ServerConfig } from '../config.js';
import type { RequestError } from '../errors.js';
import { Hub } from '../hub.js';
import type { Question } from '../server-control.js';
import { AcceptCoordinator } from './accept-coordinator.js';
import { Gatherer } from './gather.js';
import { CONFIG_ENV, isRtbMessage, SECRET_ENV, type ToPrimary, type ToWorker } from './messages.js';
import { type DeliverBatch, sequenceBatches } from './publish-batch.js';
import { RestartPolicy } from './restart-policy.js';
import { snapshotChunks } from './snapshot.js';
import { stopReading } from './socket-handoff.js';

export interface ClusterHandle {
  port: number;
  workers: number;
  /** Resolves with the reason if the server gives up on its workers (restart-policy.ts); it has stopped them then. */
  failure: Promise<string>;
  close(): Promise<void>;
}

/** startCluster's error when the workers could not be started; the reason has been printed. */
export class ClusterGaveUp extends Error {}

const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** The primary's state: the sequencer hub, the workers and their relay ports. */
class Primary {
  readonly sequencer: Hub;
  readonly aggregator = new AggregatorRegistry();
  /** Workers that asked for the history: they get every message from then on. */
  readonly replicas = new Set<Worker>();
  /** Workers that listen and serve. */
  readonly serving = new Set<Worker>();
  readonly relayPorts = new Map<Worker, number>();
  readonly accept = new AcceptCoordinator((worker, message, handle) => this.send(worker, message, handle));
  readonly gatherer = new Gatherer((worker, message) => this.send(worker, message));
  readonly restarts = new RestartPolicy();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  closing = false;
  /** Resolves once every worker served for the first time. */
  readonly started: Promise<void>;
  #markStarted!: () => void;
  readonly failure: Promise<string>;
  #fail!: (reason: string) => void;

  constructor(
    readonly config: ServerConfig,
    readonly workerCount: number,
    /** Numbers publishes instead of the sequencer hub (`serve --redis`); the hub then follows it. */
    readonly backplane?: Backplane,
  ) {
    this.sequencer = new Hub(config);
    this.started = new Promise((resolve) => {
      this.#markStarted = resolve;
    });
    this.failure = new Promise((resolve) => {
      this.#fail = resolve;
    });
  }

  fork(): void {
    // A process's environment is readable in /proc while it lives and is
    // copied into whatever it starts: the secret reaches workers over IPC
    // (rtb:secret), and an undefined value drops the inherited variable.
    cluster.fork({ [CONFIG_ENV]: JSON.stringify({ ...this.config, secret: undefined }), [SECRET_ENV]: undefined });
  }

  /**
   * A worker killed a moment ago still counts as connected until its exit
   * is seen, and a send to it fails with EPIPE: with no callback that is an
   * unhandled 'error' that takes the primary down. The worker's exit is
   * handled where it is seen (a restart); the message is moot.
   */
  send(worker: Worker, message: ToWorker, handle?: unknown, then?: (error: Error | null) => void): void {
    if (!worker.isConnected()) return;
    worker.send(message, handle as never, undefined, (error) => then?.(error));
  }

  announcePeers(): void {
    const ports = [...this.relayPorts.values()];
    for (const peer of this.replicas) this.send(peer, { type: 'rtb:peers', ports });
  }

  readonly onMessage = (worker: Worker, message: unknown, handle?: unknown): void => {
    if (!isRtbMessage(message)) return;
    const request = message as ToPrimary;
    switch (request.type) {
      case 'rtb:hello':
        // Before the history: the worker accepts only once the history is in, so never without the secret.
        this.send(worker, { type: 'rtb:secret', secret: this.config.secret });
        if (this.backplane) this.send(worker, { type: 'rtb:backplane', health: this.backplane.health() });
        this.#sendSnapshot(worker);
        this.send(worker, { type: 'rtb:peers', ports: [...this.relayPorts.values()] });
        this.replicas.add(worker);
        return;
      case 'rtb:publish':
        this.#publish(worker, request);
        return;
      case 'rtb:metrics':
        this.aggregator.clusterMetrics().then(
          (text) => this.send(worker, { type: 'rtb:metrics', id: request.id, text }),
          (error: Error) => this.send(worker, { type: 'rtb:metrics', id: request.id, error: error.message }),
        );
        return;
      case 'rtb:relay':
        this.relayPorts.set(worker, request.port);
        this.announcePeers();
        return;
      case 'rtb:handoff':
        this.#forwardHandoff(request, handle as net.Socket | undefined);
        return;
      default:
        this.#onServingMessage(worker, request, handle);
    }
  };

  /** Messages about accepting and serving. */
  #onServingMessage(worker: Worker, request: ToPrimary, handle: unknown): void {
    switch (request.type) {
      case 'rtb:listen-request':
        this.accept.listenRequest(worker);
        return;
      case 'rtb:anchor':
        this.accept.anchor(worker, handle as { close(): void } | undefined);
        return;
      case 'rtb:full':
        this.accept.full(worker);
        return;
      case 'rtb:ready':
        this.serving.add(worker);
        this.restarts.started();
        if (this.serving.size === this.workerCount) this.#markStarted();
        return;
      case 'rtb:ask':
        void this.#askOthers(worker, request.question).then((answers) => {
          this.send(worker, { type: 'rtb:answers', id: request.id, answers });
        });
        return;
      case 'rtb:answer':
        this.gatherer.answer(worker, request.id, request.answer);
        return;
    }
  }

  /** Every other serving worker's answer; a worker that did not answer in time is listed as not responding (status). */
  async #askOthers(asker: Worker, question: Question): Promise<unknown[]> {
    const others = [...this.serving].filter((w) => w !== asker);
    const answers = await this.gatherer.ask(others, question);
    if (question.kind !== 'status') return [...answers.values()];
    return others.map((w) => answers.get(w) ?? { pid: w.process.pid, responding: false });
  }

  #publish(worker: Worker, request: Extract<ToPrimary, { type: 'rtb:publish' }>): void {
    if (this.backplane) {
      // Numbered by the backplane; the messages come back through its stream (forward()).
      this.backplane.publish(request.batches).then(
        (seqs) => this.send(worker, { type: 'rtb:published', id: request.id, seqs }),
        (error: RequestError) =>
          this.send(worker, { type: 'rtb:published', id: request.id, error: error.message, status: error.status, code: error.code }),
      );
      return;
    }
    let batches: ReturnType<typeof sequenceBatches>;
    try {
      batches = sequenceBatches(this.sequencer, request.batches);
    } catch (error) {
      this.send(worker, { type: 'rtb:published', id: request.id, error: (error as Error).message });
      return;
    }
    for (const peer of this.replicas) this.send(peer, { type: 'rtb:deliver', batches });
    this.send(worker, { type: 'rtb:published', id: request.id, seqs: batches.flatMap((batch) => batch.seqs) });
  }

  /** Messages the backplane applied to the sequencer hub, passed on to every worker. */
  forward(batches: DeliverBatch[]): void {
    for (const peer of this.replicas) this.send(peer, { type: 'rtb:deliver', batches });
  }

  /**
   * The history in chunks, each sent once the one before is written, so a
   * large history is never one IPC message nor held serialised here whole.
   */
  #sendSnapshot(worker: Worker): void {
    const chunks = snapshotChunks(this.sequencer);
    const next = (): void => {
      const chunk = chunks.next();
      if (chunk.done || !worker.isConnected()) return;
      const { last } = chunk.value;
      worker.send({ type: 'rtb:restore', ...chunk.value } satisfies ToWorker, (error: Error | null) => {
        if (!error && !last) next();
      });
    };
    next();
  }

  /**
   * A socket on its way from the worker that accepted it to the one that
   * owns its session; the handle passes through, the bytes do not.
   */
  #forwardHandoff(request: Extract<ToPrimary, { type: 'rtb:handoff' }>, socket: net.Socket | undefined): void {
    const owner = [...this.relayPorts].find(([, port]) => port === request.to)?.[0];
    if (!socket) return;
    stopReading(socket);
    if (owner?.isConnected()) {
      this.send(owner, { type: 'rtb:handoff', head: request.head, rest: request.rest }, socket, (error) => {
        if (error) socket.destroy();
      });
    } else socket.destroy();
  }

  readonly onExit = (worker: Worker, code: number | null, signal: string | null): void => {
    const wasServing = this.serving.delete(worker);
    this.replicas.delete(worker);
    this.gatherer.exited(worker);
    this.accept.exited(worker, [...this.serving]);
    if (this.relayPorts.delete(worker) && !this.closing) this.announcePeers();
    if (this.closing) return;
    const pid = worker.process.pid;
    const how = signal ?? `exit code ${code}`;
    const decision = this.restarts.exited(wasServing, how);
    if (decision.giveUp) {
      console.error(`rtbench serve: giving up: ${decision.reason}; stopping`);
      void this.stopWorkers().then(() => this.#fail(decision.reason));
      return;
    }
    if (wasServing) console.error(`rtbench serve: worker ${pid} exited (${how}); starting another`);
    else console.error(`rtbench serve: worker ${pid} failed to start (${how}); starting another in ${decision.delayMs} ms`);
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      if (!this.closing) this.fork();
    }, decision.delayMs);
    this.#restartTimers.add(timer);
  };

  detach(): void {
    cluster.off('message', this.onMessage);
    cluster.off('exit', this.onExit);
  }

  /** Asks every worker to shut down; kills those that take longer than 5 s. */
  async stopWorkers(): Promise<void> {
    this.closing = true;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    this.#restartTimers.clear();
    this.accept.close();
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

export async function startCluster(partial: Partial<ServerConfig>, workerCount: number, backplane?: Backplane): Promise<ClusterHandle> {
  if (!cluster.isPrimary) throw new Error('startCluster must run in the primary process');
  const primary = new Primary(resolveConfig(partial), workerCount, backplane);
  const { config } = primary;
  // The primary alone talks to the backplane: its hub follows it and its workers follow its hub (docs/architecture.md).
  if (backplane) {
    await backplane.start(primary.sequencer, (batches) => primary.forward(batches));
    backplane.onHealth((health) => {
      for (const peer of primary.replicas) primary.send(peer, { type: 'rtb:backplane', health });
    });
  }

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Workers hold thousands of mostly idle connections: a small young
  // generation keeps each worker's footprint close to what its sockets need.
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], execArgv: [...process.execArgv, '--max-semi-space-size=2'] });
  cluster.on('message', primary.onMessage);
  cluster.on('exit', primary.onExit);

  // Port 0 asks for a free port. Workers must all name the same port to
  // share one listening socket, so the primary picks it first.
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  config.port = port;
  for (let i = 0; i < workerCount; i++) primary.fork();
  const gaveUp = await Promise.race([primary.started.then(() => undefined), primary.failure]);
  if (gaveUp !== undefined) throw new ClusterGaveUp(gaveUp);
  return { port, workers: workerCount, failure: primary.failure, close: () => primary.stopWorkers() };
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
