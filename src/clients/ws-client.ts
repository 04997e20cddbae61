/**
 * Lean raw WebSocket client of the rtbench server's `/ws`: handshake, one
 * subscribe, then it only reads frames, answers pings and records updates.
 * After an unexpected close it reconnects and resubscribes from its cursor.
 */
import net, { type Socket } from 'node:net';
import { epochMs } from '../metrics/clock.js';
import { LoadClient, meterSocket } from './load-client.js';
import { clientFrame, OPCODE, type Frame } from './ws-frames.js';
import { upgradeSocket, type UpgradeHandlers } from './ws-handshake.js';

export class WsClient extends LoadClient {
  static readonly #upgradeHandlers: UpgradeHandlers<WsClient> = {
    onUpgraded: (client) => client.#subscribe(),
    onRefused: (client, error) => client.settleOpen(error),
    onFrame: (client, frame, receivedAt) => client.#onFrame(frame, receivedAt),
  };
  #socket: Socket | undefined;
  #closing = false;
  #fragments: Buffer[] = [];
  #echoTimer: NodeJS.Timeout | undefined;

  open(): Promise<void> {
    const opened = this.beginOpen();
    const socket = meterSocket(this.env, net.connect(this.target.port, this.target.host));
    this.#socket = socket;
    upgradeSocket(socket, '/ws', this.hostHeader, this, WsClient.#upgradeHandlers);
    socket.on('error', (error) => this.settleOpen(error));
    socket.on('close', () => {
      this.settleOpen(new Error('connection closed before subscribing'));
      if (!this.#closing) this.connectionLost(socket.errored ?? undefined);
    });
    return opened;
  }

  #subscribe(): void {
    this.#send(OPCODE.text, Buffer.from(JSON.stringify({ op: 'subscribe', channel: this.channel, cursor: this.tracker.last })));
  }

  override quiesce(): void {
    clearInterval(this.#echoTimer);
    this.#echoTimer = undefined;
  }

  /**
   * Echo scenario: a numbered, timestamped message at the configured rate
   * (from a random phase); the server sends it back and the round trip is
   * the latency, for servers whose clock is not shared.
   */
  #startEcho(): void {
    const rate = this.env.settings.echoRate;
    if (!(rate > 0) || this.#echoTimer) return;
    const period = 1000 / rate;
    setTimeout(() => {
      if (this.#closing) return;
      this.#echoTimer = setInterval(() => {
        const message = { op: 'echo', seq: ++this.echoSent, ts: epochMs() };
        this.#send(OPCODE.text, Buffer.from(JSON.stringify(message)));
      }, period);
    }, Math.random() * period);
  }

  close(): void {
    this.quiesce();
    this.#closing = true;
    if (this.#socket && !this.#socket.destroyed) {
      this.#send(OPCODE.close, Buffer.from([0x03, 0xe8]));
      this.#socket.end();
    }
    this.state = 'closed';
  }

  #send(opcode: number, payload: Buffer): void {
    if (this.#socket?.writable) this.#socket.write(clientFrame(opcode, payload));
  }

  #onFrame(frame: Frame, receivedAt: number): void {
    switch (frame.opcode) {
      case OPCODE.text:
      case OPCODE.continuation: {
        if (!frame.fin) {
          this.#fragments.push(frame.payload);
          return;
        }
        const payload = this.#fragments.length ? Buffer.concat([...this.#fragments.splice(0), frame.payload]) : frame.payload;
        // Replies to control ops start with {"op"; everything else is an update.
        if (payload[2] === 0x6f /* o */ && payload[3] === 0x70 /* p */) {
          const reply = JSON.parse(payload.toString()) as { op: string; seq: number; ts: number };
          if (reply.op === 'subscribed') {
            this.settleOpen();
            this.#startEcho();
          } else if (reply.op === 'echo') {
            this.env.deliveries.record(this.tracker, reply, payload.length, receivedAt);
          }
          return;
        }
        this.receiveEnvelope(payload.toString(), payload.length, receivedAt);
        return;
      }
      case OPCODE.ping:
        this.#send(OPCODE.pong, frame.payload);
        return;
      case OPCODE.close:
        // Echoed as RFC 6455 5.5.1 asks (no-op when close() already ended the
        // socket). A close the server started is no close() of ours, so the
        // socket's close that follows counts as a lost connection.
        this.#send(OPCODE.close, frame.payload.subarray(0, 2));
        this.#socket?.end();
        return;
    }
  }
}
