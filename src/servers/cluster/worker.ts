/**
 * A worker of `rtbench serve --workers N`: one app on the shared port whose
 * seqs come from the primary. Every worker applies the primary's messages in
 * the order the primary sent them, so all workers hold the same history and
 * every subscriber sees each channel in seq order, whichever worker it is on.
 *
 * Start-up: ask for the history (hello), build the app, wait until the whole
 * history is in, then take a copy of the listening socket and tell the
 * primary it serves (ready). From then on the worker stops and starts
 * accepting at its connection budget (accept-switch.ts).
 */
import type { Socket } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { type App, createApp, listen } from '../app.js';
import type { BackplaneHealth } from '../backplane.js';
import { type ServerConfig, resolveConfig } from '../config.js';
import { isFallbackTransport } from '../fallback/fallback-transport.js';
import { Hub } from '../hub.js';
import { AcceptSwitch } from './accept-switch.js';
import { CONFIG_ENV, type ToPrimary, type ToWorker, isRtbMessage } from './messages.js';
import { Replica } from './replica.js';
import { SessionRelay } from './session-relay.js';
import { adoptUpgrade } from './socket-handoff.js';
import { PrimaryLink } from './worker-link.js';

type Send = (message: ToPrimary, handle?: unknown, callback?: (error: Error | null) => void) => void;

class WorkerNode {
  readonly config: ServerConfig;
  readonly link: PrimaryLink;
  readonly replica: Replica;
  readonly app: App;
  readonly switch: AcceptSwitch;
  relay: SessionRelay | undefined;
  peers: number[] = [];
  /** The primary holds a copy of the socket: this worker may stop accepting. */
  anchored = false;
  /** Every other worker is full: accept at the budget, refuse what is over it. */
  overflow = false;
  closing = false;
  /** The primary's backplane (`serve --redis`), as it last said. */
  backplane: BackplaneHealth | undefined;
  /** The answer to the first listen request. */
  #firstListen: ((handle: unknown) => void) | undefined;

  constructor(readonly send: Send) {
    this.config = resolveConfig(JSON.parse(process.env[CONFIG_ENV] ?? '{}'));
    const hub = new Hub(this.config);
    this.link = new PrimaryLink(send);
    this.replica = new Replica(hub, (error) => {
      console.error(`rtbench serve: worker ${process.pid} lost step with the sequencer (${error.message}); exiting to be replaced`);
      process.exit(1);
    });
    const backplane = { health: () => this.backplane };
    this.app = createApp({
      config: this.config,
      hub,
      bus: this.link,
      metricsText: () => this.link.metrics(),
      control: this.link,
      backplane,
    });
    this.link.gate = this.app.gate;
    this.switch = new AcceptSwitch(this.app.server, this.config.host, this.config.port);
    this.app.gate.setControl({
      pause: () => this.#pause(),
      room: () => send({ type: 'rtb:listen-request' }),
    });
  }

  onMessage(message: ToWorker, handle: unknown): void {
    switch (message.type) {
      case 'rtb:secret':
        // The first answer to hello, so it is in before this worker accepts (after the history).
        this.app.config.secret = message.secret;
        return;
      case 'rtb:restore':
        this.replica.restore(message);
        return;
      case 'rtb:deliver':
        this.replica.deliver(message.batches);
        return;
      case 'rtb:published':
        this.link.settle(message.id, message.seqs, message.error, message.status, message.code);
        return;
      case 'rtb:backplane':
        this.backplane = message.health;
        return;
      case 'rtb:metrics':
        this.link.settle(message.id, message.text, message.error);
        return;
      case 'rtb:answers':
        this.link.settle(message.id, message.answers, undefined);
        return;
      case 'rtb:ask':
        this.send({ type: 'rtb:answer', id: message.id, answer: this.link.answerFor(message.question) });
        return;
      case 'rtb:handoff':
        adoptUpgrade(handle as Socket | undefined, message, (socket) => this.app.gate.adopt(socket));
        return;
      case 'rtb:peers':
        this.peers = message.ports;
        this.relay?.setPeers(message.ports);
        return;
      case 'rtb:listen':
        this.#onListen(message.overflow, handle);
        return;
      case 'rtb:overflow-end':
        this.overflow = false;
        this.app.gate.recheck();
        return;
      case 'rtb:shutdown':
        this.shutdown();
        return;
    }
  }

  /** Closes the app (no more accepting, connections ended) and exits. */
  shutdown(): void {
    if (this.closing) return;
    this.closing = true;
    void this.app.close().then(() => process.exit(0));
  }

  /** Resolves once this worker accepts on the shared socket. */
  async startAccepting(): Promise<void> {
    const handle = await new Promise<unknown>((resolve) => {
      this.#firstListen = resolve;
      this.send({ type: 'rtb:listen-request' });
    });
    if (handle) {
      this.anchored = true;
      return;
    }
    // The first worker binds the socket through the cluster module and
    // gives the primary its copy before it may ever let go of its own.
    await listen(this.app);
    await new Promise<void>((resolve, reject) =>
      this.send({ type: 'rtb:anchor' }, this.switch.handle, (error) => (error ? reject(error) : resolve())),
    );
    this.anchored = true;
  }

  #onListen(overflow: boolean, handle: unknown): void {
    const listenHandle = handle as { close(): void } | undefined;
    // A copy granted just before a shutdown must not reopen the closing server.
    if (this.closing) {
      listenHandle?.close();
      return;
    }
    this.overflow = overflow;
    if (listenHandle && !this.switch.start(listenHandle)) {
      console.error(`rtbench serve: worker ${process.pid} could not listen on the shared socket; exiting to be replaced`);
      process.exit(1);
    }
    const first = this.#firstListen;
    if (first) {
      this.#firstListen = undefined;
      first(handle);
      return;
    }
    if (handle) this.app.gate.resumed();
  }

  #pause(): boolean {
    if (this.overflow || !this.anchored || !this.switch.accepting) return false;
    this.switch.stop();
    this.send({ type: 'rtb:full', connections: this.app.gate.open });
    return true;
  }

  async startRelay(): Promise<void> {
    const fallback = this.app.transports.find(isFallbackTransport);
    if (!fallback) return;
    // Upgrades move the client's socket itself to the owner (through the
    // primary), so a WebSocket session costs one descriptor, in its owner.
    this.relay = await SessionRelay.start(fallback, (owner, handoff, socket) =>
      // The socket is sent once the channel is free; only then may it be let go of here.
      this.send({ type: 'rtb:handoff', to: owner, ...handoff }, socket, () => socket.destroy()),
    );
    this.relay.setPeers(this.peers);
    this.send({ type: 'rtb:relay', port: this.relay.port });
  }
}

export async function runWorker(): Promise<void> {
  const send: Send = (message, handle, callback) => {
    if (process.connected) process.send!(message, handle as never, undefined, callback);
  };
  const node = new WorkerNode(send);
  process.on('message', (message: unknown, handle: unknown) => {
    if (isRtbMessage(message)) node.onMessage(message as ToWorker, handle);
  });
  // Ask for the history only once the listener above is in place; the
  // primary adds this worker to its fan-out in the same step, so nothing
  // falls between the snapshot and the first forwarded message.
  send({ type: 'rtb:hello' });
  // Answers the primary's prom-client requests for this worker's registry.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([node.app.registry]);
  await node.startRelay();
  await node.replica.restored;
  await node.startAccepting();
  send({ type: 'rtb:ready' });
  process.on('SIGTERM', () => node.shutdown());
  // Ctrl-C reaches the whole process group; the primary leads the shutdown.
  process.on('SIGINT', () => {});
  process.once('disconnect', () => process.exit(0));
}
