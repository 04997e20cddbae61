/**
 * A worker of `rtbench serve --workers N`: one app on the shared port whose
 * seqs come from the primary. Every worker applies the primary's messages in
 * the order the primary sent them, so all workers hold the same history and
 * every subscriber sees each channel in seq order, whichever worker it is on.
 */
import type { Socket } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { createApp, listen, type App } from '../app.js';
import { resolveConfig, type ServerConfig } from '../config.js';
import { CONFIG_ENV, isRtbMessage, type ToPrimary, type ToWorker } from './messages.js';
import { adoptUpgrade } from './socket-handoff.js';
import { SessionRelay } from './session-relay.js';
import { isFallbackTransport } from '../fallback/fallback-transport.js';
import { Hub, type PublishInput } from '../hub.js';
import type { PublishBus } from '../publish.js';

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void };

class PrimaryLink implements PublishBus {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** Engine.IO sessions are forwarded to the worker that issued their sid. */
  relay: SessionRelay | undefined;
  peers: number[] = [];
  /** The server secret, sent by the primary in answer to rtb:hello (never in the environment). */
  readonly secret: Promise<string | undefined>;
  #secretArrived!: (secret: string | undefined) => void;

  constructor(private readonly hub: Hub) {
    this.secret = new Promise((resolve) => {
      this.#secretArrived = resolve;
    });
  }

  send(message: ToPrimary): void {
    process.send!(message);
  }

  publish(inputs: PublishInput[]): Promise<number[]> {
    return this.#request<number[]>((id) => ({ type: 'rtb:publish', id, inputs }));
  }

  metrics(): Promise<string> {
    return this.#request<string>((id) => ({ type: 'rtb:metrics', id }));
  }

  onMessage(message: ToWorker, app: App | undefined, handle: unknown): void {
    switch (message.type) {
      case 'rtb:handoff':
        if (app) adoptUpgrade(app.server, handle as Socket, message);
        else (handle as Socket | undefined)?.destroy();
        return;
      case 'rtb:secret':
        this.#secretArrived(message.secret);
        return;
      case 'rtb:restore':
        this.hub.restore(message.messages);
        return;
      case 'rtb:deliver':
        for (const envelope of message.messages) this.hub.ingest(envelope);
        return;
      case 'rtb:published':
        this.#settle(message.id, message.seqs, message.error);
        return;
      case 'rtb:metrics':
        this.#settle(message.id, message.text, message.error);
        return;
      case 'rtb:peers':
        this.peers = message.ports;
        this.relay?.setPeers(message.ports);
        return;
      case 'rtb:shutdown':
        void (app ? app.close() : Promise.resolve()).then(() => process.exit(0));
        return;
    }
  }

  #request<T>(build: (id: number) => ToPrimary): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.send(build(id));
    });
  }

  #settle(id: number, value: unknown, error: string | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (error !== undefined) pending.reject(new Error(error));
    else pending.resolve(value as never);
  }
}

export async function runWorker(): Promise<void> {
  const config: ServerConfig = resolveConfig(JSON.parse(process.env[CONFIG_ENV] ?? '{}'));
  const hub = new Hub({ historySize: config.historySize });
  const link = new PrimaryLink(hub);
  let app: App | undefined;
  process.on('message', (message: unknown, handle: unknown) => {
    if (isRtbMessage(message)) link.onMessage(message as ToWorker, app, handle);
  });
  // Ask for the history only once the listener above is in place; the
  // primary adds this worker to its fan-out in the same step, so nothing
  // falls between the snapshot and the first forwarded message.
  link.send({ type: 'rtb:hello' });
  config.secret = await link.secret;

  app = createApp({ config, hub, bus: link, metricsText: () => link.metrics() });
  // Answers the primary's prom-client requests for this worker's registry.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([app.registry]);
  const fallback = app.transports.find(isFallbackTransport);
  if (fallback) {
    // Upgrades move the client's socket itself to the owner (through the
    // primary), so a WebSocket session costs one descriptor, in its owner.
    link.relay = await SessionRelay.start(fallback, (owner, handoff, socket) =>
      process.send!({ type: 'rtb:handoff', to: owner, ...handoff } satisfies ToPrimary, socket),
    );
    link.relay.setPeers(link.peers);
    link.send({ type: 'rtb:relay', port: link.relay.port });
  }
  await listen(app);
  process.on('SIGTERM', () => void app!.close().then(() => process.exit(0)));
  // Ctrl-C reaches the whole process group; the primary leads the shutdown.
  process.on('SIGINT', () => {});
  process.once('disconnect', () => process.exit(0));
}
