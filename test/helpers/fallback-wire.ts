/**
 * A bare client for counting Engine.IO wire bytes: raw TCP sockets, HTTP/1.1
 * requests written by hand, WebSocket frames built by hand, and every step
 * measured as deltas of the client socket's bytesWritten / bytesRead.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface StepBytes {
  step: string;
  /** Client to server. */
  up: number;
  /** Server to client. */
  down: number;
  /** What the bytes are, e.g. "head 76 + body 118". */
  detail: string;
}

export class CountingConnection {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #marks = { written: 0, read: 0 };

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
  }

  static async open(port: number): Promise<CountingConnection> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new CountingConnection(socket);
  }

  /** Bytes written and read since the last call. */
  delta(): { up: number; down: number } {
    const up = this.socket.bytesWritten - this.#marks.written;
    const down = this.socket.bytesRead - this.#marks.read;
    this.#marks = { written: this.socket.bytesWritten, read: this.socket.bytesRead };
    return { up, down };
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async #until(ready: () => number): Promise<Buffer> {
    for (;;) {
      const length = ready();
      if (length > 0) {
        const out = this.#buffer.subarray(0, length);
        this.#buffer = this.#buffer.subarray(length);
        return out;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer; have ${JSON.stringify(this.#buffer.toString('latin1'))}`)), 5000);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  /** One HTTP response with a content-length (or none, for 101). */
  async readResponse(): Promise<{ head: string; body: string }> {
    const raw = await this.#until(() => {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end === -1) return 0;
      const head = this.#buffer.toString('latin1', 0, end + 4);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      return this.#buffer.length >= end + 4 + length ? end + 4 + length : 0;
    });
    const end = raw.indexOf('\r\n\r\n') + 4;
    return { head: raw.toString('latin1', 0, end), body: raw.toString('utf8', end) };
  }

  /** One unmasked server frame with a payload under 126 bytes. */
  async readFrame(): Promise<{ opcode: number; payload: string; size: number }> {
    const raw = await this.#until(() =>
      this.#buffer.length >= 2 && this.#buffer.length >= 2 + (this.#buffer[1]! & 0x7f) ? 2 + (this.#buffer[1]! & 0x7f) : 0,
    );
    return { opcode: raw[0]! & 0x0f, payload: raw.toString('utf8', 2), size: raw.length };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A masked client text frame, as RFC 6455 requires from clients. */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new RangeError('short frames only');
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

export function upgradeRequest(path: string, host: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/**
 * A TCP relay that counts, per accepted connection, what the client sent and
 * received: the same numbers as that client's own socket counters.
 */
export async function countingProxy(targetPort: number): Promise<{
  port: number;
  connections: { up: number; down: number; request: string }[];
  close(): Promise<void>;
}> {
  const connections: { up: number; down: number; request: string }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const tally = { up: 0, down: 0, request: '' };
    connections.push(tally);
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      if (tally.up === 0) {
        const text = chunk.toString('latin1');
        const line = text
          .slice(0, text.indexOf('\r\n'))
          .replace(/ HTTP\/1\.1$/, '')
          .replace(/sid=[^&]+/, 'sid=...')
          .replace(/([?&])t=[^&]+/, '$1t=...');
        tally.request = /\r\nupgrade: websocket/i.test(text) ? `${line} (upgrade)` : line;
      }
      tally.up += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => (tally.down += chunk.length));
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
