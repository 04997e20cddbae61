/**
 * Lean raw WebSocket client of the rtbench server's `/ws`: handshake, one
 * subscribe, then it only reads frames, answers pings and records updates.
 * Every connect, the first and each reconnect, subscribes from the cursor,
 * so a reconnect resumes where the client stopped; a cursor older than the
 * server's history is answered with a gap signal first.
 */
import net, { type Socket } from 'node:net';
import { epochMs } from '../metrics/clock.js';
import { connectOptions, LoadClient, meterSocket } from './load-client.js';
import { clientFrame, OPCODE, type Frame } from './ws-frames.js';
import { upgradeSocket, type UpgradeHandlers } from './ws-handshake.js';
import { DEFLATE_OFFER, MessageInflater, parseDeflateAnswer } from './ws-inflate.js';

/** Errors reach the close listener through `socket.errored`. */
const ignore = () => {};

export class WsClient extends LoadClient {
  static readonly #upgradeHandlers: UpgradeHandlers<WsClient> = {
    onUpgraded: (client, extensions) => client.#onUpgraded(extensions),
    onRefused: (client, error) => {
      // upgradeSocket destroyed the socket: its close must not count again.
      client.#socket = undefined;
      client.settleOpen(error);
    },
    onFrame: (client, frame, receivedAt) => client.#onFrame(frame, receivedAt),
  };
  #socket: Socket | undefined;
  #fragments: Buffer[] = [];
  /** Set when the server accepted permessage-deflate: data messages go through it. */
  #inflater: MessageInflater<WsClient> | undefined;
  /** The message being reassembled had RSV1 on its first frame. */
  #compressed = false;

  /** The Sec-WebSocket-Extensions offer of the handshake; the ws+deflate client offers permessage-deflate. */
  protected get extensionOffer(): string | undefined {
    return undefined;
  }
  #echoTimer: NodeJS.Timeout | undefined;
  #quiesced = false;

  protected connect(): void {
    this.#fragments = [];
    const socket = meterSocket(this.env, net.connect(connectOptions(this.target)));
    this.#socket = socket;
    socket.on('error', ignore);
    socket.on('close', () => this.#onClose(socket));
    upgradeSocket(socket, '/ws', this.hostHeader, this, WsClient.#upgradeHandlers, this.extensionOffer);
  }

  /** A deflate answer sets up the inflater (a bad one ends the connection, which fails the open); then the subscribe. */
  #onUpgraded(extensions: string | undefined): void {
    this.#inflater?.close();
    this.#inflater = undefined;
    if (extensions !== undefined) {
      const parameters = parseDeflateAnswer(extensions);
      if (parameters instanceof Error) {
        this.#socket?.destroy(parameters);
        return;
      }
      this.#inflater = new MessageInflater(parameters, this.#socket!);
    }
    this.#subscribe();
  }

  #onClose(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#inflater?.close();
    this.#inflater = undefined;
    const error = socket.errored ?? undefined;
    if (this.opening) this.settleOpen(error ?? new Error('connection closed before subscribing'));
    else this.connectionLost(error);
  }

  #subscribe(): void {
    this.#send(OPCODE.text, Buffer.from(JSON.stringify({ op: 'subscribe', channel: this.channel, cursor: this.tracker.last })));
  }

  override quiesce(): void {
    this.#quiesced = true;
    clearInterval(this.#echoTimer);
    this.#echoTimer = undefined;
  }

  /**
   * Echo scenario: a numbered, timestamped message at the configured rate
   * (from a random phase); the server sends it back and the round trip is
   * the latency, for servers whose clock is not shared. While reconnecting
   * nothing is sent (or counted).
   */
  #startEcho(): void {
    const rate = this.env.settings.echoRate;
    if (!(rate > 0) || this.#echoTimer || this.#quiesced) return;
    const period = 1000 / rate;
    this.#echoTimer = setTimeout(() => {
      if (this.#quiesced) return;
      this.#echoTimer = setInterval(() => {
        if (this.state !== 'open') return;
        const message = { op: 'echo', seq: ++this.echoSent, ts: epochMs() };
        this.#send(OPCODE.text, Buffer.from(JSON.stringify(message)));
      }, period);
    }, Math.random() * period);
  }

  protected disconnect(): void {
    this.quiesce();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#inflater?.close();
    this.#inflater = undefined;
    if (socket && !socket.destroyed) {
      if (socket.writable) socket.write(clientFrame(OPCODE.close, Buffer.from([0x03, 0xe8])));
      socket.end();
    }
  }

  #send(opcode: number, payload: Buffer): void {
    if (this.#socket?.writable) this.#socket.write(clientFrame(opcode, payload));
  }

  #onFrame(frame: Frame, receivedAt: number): void {
    switch (frame.opcode) {
      case OPCODE.text:
      case OPCODE.continuation: {
        if (frame.opcode === OPCODE.text) this.#compressed = frame.rsv1;
        if (frame.rsv1 && !this.#inflater) {
          this.#socket?.destroy(new Error('RSV1 set without permessage-deflate'));
          return;
        }
        if (!frame.fin) {
          this.#fragments.push(frame.payload);
          return;
        }
        const payload = this.#fragments.length ? Buffer.concat([...this.#fragments.splice(0), frame.payload]) : frame.payload;
        if (this.#inflater) this.#inflater.message(this, payload, this.#compressed, receivedAt, WsClient.#onMessage);
        else WsClient.#onMessage(this, payload, receivedAt);
        return;
      }
      case OPCODE.ping:
        this.#send(OPCODE.pong, frame.payload);
        return;
      case OPCODE.close:
        this.#onServerClose(frame.payload);
        return;
    }
  }

  static #onMessage(client: WsClient, payload: Buffer, receivedAt: number): void {
    // Replies to control ops start with {"op"; everything else is an update.
    if (payload[2] === 0x6f /* o */ && payload[3] === 0x70 /* p */) {
      client.#onReply(payload, receivedAt);
      return;
    }
    client.receiveEnvelope(payload.toString(), payload.length, receivedAt);
  }

  #onReply(payload: Buffer, receivedAt: number): void {
    const reply = JSON.parse(payload.toString()) as { op: string; seq: number; ts: number; from: unknown; to: unknown };
    if (reply.op === 'subscribed') {
      this.settleOpen();
      this.#startEcho();
    } else if (reply.op === 'gap') {
      this.receiveGap(reply);
    } else if (reply.op === 'echo') {
      this.env.deliveries.record(this.tracker, reply, payload.length, receivedAt);
    }
  }

  /**
   * Echoed as RFC 6455 5.5.1 asks (no-op when close() already ended the
   * socket). A close the server started is no close() of ours, so the
   * socket's close that follows counts as a lost connection; before the
   * subscribe was answered its code and reason are why the open failed.
   */
  #onServerClose(payload: Buffer): void {
    const socket = this.#socket;
    if (!socket) return;
    if (this.opening && payload.length >= 2) {
      this.#socket = undefined;
      socket.destroy();
      this.settleOpen(new Error(`closed by the server: ${payload.readUInt16BE(0)} ${payload.subarray(2).toString()}`.trim()));
      return;
    }
    this.#send(OPCODE.close, payload.subarray(0, 2));
    socket.end();
  }
}

/** `ws+deflate`: the same client, offering permessage-deflate (RFC 7692) in its handshake. */
export class WsDeflateClient extends WsClient {
  protected override get extensionOffer(): string {
    return DEFLATE_OFFER;
  }
}
