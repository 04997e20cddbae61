/**
 * The lean Engine.IO session client (engine-io-client.ts: polling first and
 * upgraded, WebSocket only, or polling only, as the adapter's `transports`
 * say) with an app's Socket.IO on top: CONNECT to the adapter's namespace
 * with its auth payload, and only once the server has answered it (a
 * socket.io 4 server drops events for a namespace whose connection is still
 * being set up), the join event, with or without an ack. Every EVENT packet
 * of the listed update events is searched for rtbench's markers.
 */
import type { SocketIoSubscriber } from '../../adapter/types.js';
import { EngineIoClient } from '../engine-io-client.js';
import { type ClientEnvironment, type ClientTarget, OpenRefused } from '../load-client.js';
import { type AdapterContext, deliverMarkers } from './adapter-context.js';

/** The ack id of the join event. */
const JOIN_ACK_ID = 1;

export class AdapterSocketIoClient extends EngineIoClient {
  /** The namespace's CONNECT was answered. */
  #connected = false;

  constructor(
    readonly context: AdapterContext,
    env: ClientEnvironment,
    target: ClientTarget,
    channel: string,
  ) {
    super(env, target, channel);
  }

  get spec(): SocketIoSubscriber {
    return this.context.adapter.socketio!;
  }

  protected override get enginePath(): string {
    return this.spec.path ?? '/socket.io/';
  }

  protected override get websocketOnly(): boolean {
    const transports = this.spec.transports;
    return transports !== undefined && !transports.includes('polling');
  }

  protected override get pollingOnly(): boolean {
    const transports = this.spec.transports;
    return (transports !== undefined && !transports.includes('websocket')) || super.pollingOnly;
  }

  /** `/chat,` before a packet's data for a namespace other than `/`. */
  get #prefix(): string {
    const namespace = this.spec.namespace ?? '/';
    return namespace === '/' ? '' : `${namespace},`;
  }

  protected joinSession(): void {
    this.#connected = false;
    const { auth } = this.spec;
    const payload = typeof auth === 'function' ? auth(this.channel) : auth;
    this.sendPacket(`40${this.#prefix}${payload ? JSON.stringify(payload) : ''}`);
  }

  #join(): void {
    const subscribe = this.spec.subscribe;
    if (!subscribe) {
      this.settleOpen();
      return;
    }
    const args = subscribe.args ? subscribe.args(this.channel) : [this.channel];
    if (!Array.isArray(args)) {
      this.sessionEnded(new OpenRefused(`adapter: socketio.subscribe.args must return an array, got ${typeof args}`));
      return;
    }
    const ack = subscribe.ack ? String(JOIN_ACK_ID) : '';
    this.sendPacket(`42${this.#prefix}${ack}${JSON.stringify([subscribe.event, ...args])}`);
    if (!subscribe.ack) this.settleOpen();
  }

  /** `type[/ns,][id]data`: only packets of this namespace count. */
  protected onSocketIo(packet: string, receivedAt: number): void {
    const type = packet[0];
    const prefix = this.#prefix;
    if (prefix ? !packet.startsWith(prefix, 1) : packet[1] === '/') return;
    const rest = packet.slice(1 + prefix.length);
    switch (type) {
      case '0':
        if (!this.#connected) {
          this.#connected = true;
          this.#join();
        }
        return;
      case '2':
        this.#onEvent(rest, receivedAt);
        return;
      case '3':
        if (rest.startsWith(String(JOIN_ACK_ID)) && this.opening) this.settleOpen();
        return;
      case '4':
        this.sessionEnded(new OpenRefused(`subscribe: CONNECT to namespace ${this.spec.namespace ?? '/'} refused: ${rest.slice(0, 200)}`));
        return;
      case '1':
        this.sessionEnded(undefined);
        return;
    }
  }

  /** `[id]["event",...args]`: an update event is searched for markers as its JSON text. */
  #onEvent(rest: string, receivedAt: number): void {
    const data = rest.slice(rest.indexOf('['));
    const updates = this.spec.updates;
    if (updates && !updates.some((event) => data.startsWith(`[${JSON.stringify(event)}`))) return;
    deliverMarkers(this.context, this, data, receivedAt);
  }
}
