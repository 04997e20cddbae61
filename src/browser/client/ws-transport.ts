/**
 * The raw WebSocket transport, `GET /ws`: one socket, JSON control messages
 * (ops.ts). The browser answers the server's pings itself; a socket the
 * server closes (a restart, a refused op) ends the transport, and the
 * client reconnects.
 */
import { OpsTransport } from './ops.js';
import { utf8Length, webSocketUrl } from './wire.js';

/** RFC 6455: a server frame's header is 2 bytes below 126 bytes of payload, 4 up to 65,535, 10 beyond. */
export function frameBytes(payloadBytes: number): number {
  return payloadBytes + (payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10);
}

export class WsTransport extends OpsTransport {
  readonly name = 'ws';
  #socket: WebSocket | undefined;
  #closed = false;

  protected sendOp(text: string): void {
    // A socket that is closing drops what is sent; the client resubscribes on the next one.
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(text);
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(webSocketUrl(this.settings.base, '/ws'));
      this.#socket = socket;
      let opened = false;
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`WebSocket did not open within ${this.settings.connectTimeoutMs} ms`));
      }, this.settings.connectTimeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        resolve();
      };
      socket.onmessage = (event: MessageEvent) => {
        if (this.#closed || typeof event.data !== 'string') return;
        this.hooks.bytes(frameBytes(utf8Length(event.data)));
        this.ops.receive(event.data);
      };
      socket.onclose = (event: CloseEvent) => {
        clearTimeout(timer);
        if (!opened) {
          reject(new Error(`WebSocket refused (close ${event.code})`));
          return;
        }
        if (this.#closed) return;
        this.#closed = true;
        // A refused op closes /ws with 1008 and says why: the cursor-ahead refusal names its channel.
        if (event.code === 1008) this.ops.refused(event.reason);
        this.ops.failAll(`WebSocket closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`);
        this.hooks.lost(`WebSocket closed (${event.code})`);
      };
    });
  }

  close(): void {
    this.#closed = true;
    this.ops.failAll('client closed');
    this.#socket?.close(1000);
  }
}
