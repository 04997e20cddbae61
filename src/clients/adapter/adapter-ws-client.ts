/**
 * The lean WebSocket client (the same handshake and frame code as
 * ws-client.ts) parameterised by an adapter's `ws` section: it opens the
 * app's path with the app's headers, sends the app's subscribe messages,
 * counts as subscribed on the app's `ready` reply (or once they are sent),
 * and looks for rtbench's markers in every message that arrives. A
 * reconnect subscribes again; an app without a cursor cannot resume, so
 * what was published meanwhile counts as lost.
 */
import net, { type Socket } from 'node:net';
import { connectOptions, LoadClient, meterSocket, type ClientEnvironment, type ClientTarget } from '../load-client.js';
import { clientFrame, OPCODE, type Frame } from '../ws-frames.js';
import { upgradeSocket, type UpgradeHandlers } from '../ws-handshake.js';
import { type AdapterContext, channelPath, deliverMarkers, headerLines } from './adapter-context.js';

/** Errors reach the close listener through `socket.errored`. */
const ignore = () => {};

export class AdapterWsClient extends LoadClient {
  static readonly #upgradeHandlers: UpgradeHandlers<AdapterWsClient> = {
    onUpgraded: (client) => client.#subscribe(),
    onRefused: (client, error) => {
      client.#socket = undefined;
      client.settleOpen(error);
    },
    onFrame: (client, frame, receivedAt) => client.#onFrame(frame, receivedAt),
  };
  #socket: Socket | undefined;
  #fragments: Buffer[] = [];

  constructor(
    readonly context: AdapterContext,
    env: ClientEnvironment,
    target: ClientTarget,
    channel: string,
  ) {
    super(env, target, channel);
  }

  protected connect(): void {
    const spec = this.context.adapter.ws!;
    this.#fragments = [];
    const socket = meterSocket(this.env, net.connect(connectOptions(this.target)));
    this.#socket = socket;
    socket.on('error', ignore);
    socket.on('close', () => this.#onClose(socket));
    const path = channelPath(spec.path, this.channel);
    upgradeSocket(socket, path, this.hostHeader, this, AdapterWsClient.#upgradeHandlers, undefined, headerLines(spec.headers));
  }

  protected disconnect(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && !socket.destroyed) {
      if (socket.writable) socket.write(clientFrame(OPCODE.close, Buffer.from([0x03, 0xe8])));
      socket.end();
    }
  }

  #onClose(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    const error = socket.errored ?? undefined;
    if (this.opening) this.settleOpen(error ?? new Error('subscribe: the WebSocket closed before the subscription was confirmed'));
    else this.connectionLost(error);
  }

  #subscribe(): void {
    const spec = this.context.adapter.ws!;
    const messages = spec.subscribe?.(this.channel) ?? [];
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      if (typeof message !== 'string') {
        this.settleOpen(new Error(`adapter: ws.subscribe must return strings, got ${typeof message}`));
        this.disconnect();
        return;
      }
      this.#send(OPCODE.text, Buffer.from(message));
    }
    if (!spec.ready) this.settleOpen();
  }

  #send(opcode: number, payload: Buffer): void {
    if (this.#socket?.writable) this.#socket.write(clientFrame(opcode, payload));
  }

  #onFrame(frame: Frame, receivedAt: number): void {
    switch (frame.opcode) {
      case OPCODE.text:
      case OPCODE.binary:
      case OPCODE.continuation: {
        if (!frame.fin) {
          this.#fragments.push(frame.payload);
          return;
        }
        const payload = this.#fragments.length ? Buffer.concat([...this.#fragments.splice(0), frame.payload]) : frame.payload;
        const text = payload.toString();
        if (this.opening && this.context.adapter.ws!.ready?.(text)) this.settleOpen();
        deliverMarkers(this.context, this, text, receivedAt);
        return;
      }
      case OPCODE.ping:
        this.#send(OPCODE.pong, frame.payload);
        return;
      case OPCODE.close:
        this.#send(OPCODE.close, frame.payload.subarray(0, 2));
        this.#socket?.end();
        return;
    }
  }
}
