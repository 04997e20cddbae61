/**
 * Lean raw WebSocket client of the rtbench server's `/ws`: handshake, one
 * subscribe, then it only reads frames, answers pings and records updates.
 * After an unexpected close it reconnects and resubscribes from its cursor.
 */
import net, { type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { epochMs } from '../metrics/clock.js';
import { LoadClient, meterSocket } from './load-client.js';
import { clientFrame, FrameReader, OPCODE, type Frame } from './ws-frames.js';

const HANDSHAKE_END = Buffer.from('\r\n\r\n');

export class WsClient extends LoadClient {
  #socket: Socket | undefined;
  #closing = false;
  #fragments: Buffer[] = [];
  #echoTimer: NodeJS.Timeout | undefined;

  open(): Promise<void> {
    this.state = 'connecting';
    return new Promise<void>((resolve, reject) => {
      const socket = meterSocket(this.env, net.connect(this.target.port, this.target.host));
      this.#socket = socket;
      const reader = new FrameReader();
      let handshake: Buffer | undefined = Buffer.alloc(0);
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) {
          this.fail(error);
          reject(error);
        } else {
          this.state = 'open';
          resolve();
        }
      };

      socket.once('connect', () => {
        socket.write(
          `GET /ws HTTP/1.1\r\nHost: ${this.hostHeader}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            `Sec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      socket.on('data', (data: Buffer) => {
        const receivedAt = epochMs();
        if (handshake) {
          handshake = Buffer.concat([handshake, data]);
          const end = handshake.indexOf(HANDSHAKE_END);
          if (end === -1) return;
          if (!handshake.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
            settle(new Error(`WebSocket handshake refused: ${handshake.toString('latin1', 0, handshake.indexOf('\r\n'))}`));
            socket.destroy();
            return;
          }
          const rest = handshake.subarray(end + 4);
          handshake = undefined;
          this.#send(OPCODE.text, Buffer.from(JSON.stringify({ op: 'subscribe', channel: this.channel, cursor: this.tracker.last })));
          data = rest;
          if (data.length === 0) return;
        }
        reader.push(data, (frame) => this.#onFrame(frame, receivedAt, settle));
      });
      socket.on('error', (error) => settle(error));
      socket.on('close', () => {
        settle(new Error('connection closed before subscribing'));
        this.#onClose();
      });
    });
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

  #onFrame(frame: Frame, receivedAt: number, subscribed: (error?: Error) => void): void {
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
            subscribed();
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
        if (!this.#closing) {
          this.#closing = true;
          this.#send(OPCODE.close, frame.payload.subarray(0, 2));
        }
        this.#socket?.end();
        return;
    }
  }

  #onClose(): void {
    if (this.#closing || this.state === 'closed') return;
    if (this.state === 'open' && this.env.settings.reconnect) {
      this.env.onReconnect();
      this.open().catch(() => {});
    } else if (this.state === 'open') {
      this.state = 'failed';
    }
  }
}
