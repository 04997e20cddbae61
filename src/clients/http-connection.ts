/**
 * One keep-alive HTTP/1.1 connection of a lean client: raw request heads out,
 * parsed responses in, every byte through the meter. Requests go one at a
 * time (no pipelining), as a browser's polling loop sends them.
 */
import net, { type Socket } from 'node:net';
import { epochMs } from '../metrics/clock.js';
import { connectOptions, meterSocket, type ClientEnvironment, type ClientTarget } from './load-client.js';
import { ResponseParser, type ResponseHead } from './http-response-parser.js';

export interface ConnectionHandlers {
  onHead(head: ResponseHead, receivedAtMs: number): void;
  onBody(chunk: Buffer, receivedAtMs: number): void;
  onEnd(receivedAtMs: number): void;
  onClose(error: Error | undefined): void;
}

/**
 * What the polling and SSE clients need of their connection: HttpConnection
 * over HTTP/1.1, Http2Connection (h2-connection.ts) over HTTP/2, chosen by
 * LoadClient.openHttp. Requests are written as HTTP/1.1 heads either way.
 */
export interface HttpLink {
  readonly socket: Socket;
  connected(): Promise<void>;
  send(head: string): void;
  close(cause?: Error): void;
}

/** What HttpLink.connected() gives over either protocol: resolved once the socket is connected (at once if it is), rejected with its error. */
export function socketConnected(socket: Socket): Promise<void> {
  if (!socket.connecting) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
}

export class HttpConnection implements HttpLink {
  readonly socket: Socket;
  #receivedAt = 0;
  #error: Error | undefined;

  constructor(env: ClientEnvironment, target: ClientTarget, handlers: ConnectionHandlers) {
    this.socket = meterSocket(env, net.connect(connectOptions(target)));
    const parser = new ResponseParser({
      onHead: (head) => handlers.onHead(head, this.#receivedAt),
      onBody: (chunk) => handlers.onBody(chunk, this.#receivedAt),
      onEnd: () => handlers.onEnd(this.#receivedAt),
    });
    this.socket.on('data', (data: Buffer) => {
      this.#receivedAt = epochMs();
      try {
        parser.push(data);
      } catch (error) {
        this.#error = error as Error;
        this.socket.destroy();
      }
    });
    this.socket.on('error', (error) => (this.#error = error));
    this.socket.on('close', () => handlers.onClose(this.#error));
  }

  connected(): Promise<void> {
    return socketConnected(this.socket);
  }

  send(head: string): void {
    this.socket.write(head);
  }

  /** Ends the connection; a `cause` (an answer that ended it) is what onClose reports. */
  close(cause?: Error): void {
    this.#error ??= cause;
    this.socket.end();
  }
}
