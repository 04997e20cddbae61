/**
 * Server-Sent Events over one streamed response. Events are split on the
 * blank line; `data:` lines carry the envelope, `event: gap` events a gap
 * signal, comments (heartbeats) and `id:` lines are only bytes on the wire.
 * A reconnect asks for the same URL with `Last-Event-ID: <last seq>`, as an
 * EventSource does, and the server resumes from it.
 */
import { requestHead } from './header-profiles.js';
import type { HttpLink } from './http-connection.js';
import { LoadClient } from './load-client.js';

const ACCEPT = 'Accept: text/event-stream\r\n';

export class SseClient extends LoadClient {
  #connection: HttpLink | undefined;
  #pending = '';

  protected connect(): void {
    this.#pending = '';
    const connection: HttpLink = this.openHttp({
      onHead: (head) => this.#onHead(connection, head.status),
      onBody: (chunk, receivedAt) => {
        if (connection === this.#connection) this.#onText(chunk.toString(), receivedAt);
      },
      onEnd: () => connection.close(),
      onClose: (error) => this.#onClose(connection, error),
    });
    this.#connection = connection;
    const resume = this.reconnecting ? `Last-Event-ID: ${this.tracker.last}\r\n` : '';
    const path = `/sse?channel=${this.channel}&cursor=${this.tracker.first}`;
    connection.send(requestHead(path, this.hostHeader, this.env.settings.headers, ACCEPT + resume));
  }

  protected disconnect(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.socket.destroy();
  }

  #onHead(connection: HttpLink, status: number): void {
    if (connection !== this.#connection) return;
    if (status === 200) {
      this.settleOpen();
      return;
    }
    this.#connection = undefined;
    connection.socket.destroy();
    if (this.opening) this.settleOpen(new Error(`SSE answered ${status}`));
    else this.connectionLost(new Error(`SSE answered ${status}`));
  }

  #onClose(connection: HttpLink, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    if (this.opening) this.settleOpen(error ?? new Error('connection closed before the stream opened'));
    else this.connectionLost(error);
  }

  #onText(text: string, receivedAt: number): void {
    this.#pending += text;
    for (let end = this.#pending.indexOf('\n\n'); end !== -1; end = this.#pending.indexOf('\n\n')) {
      const event = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      let data = '';
      let gap = false;
      for (const line of event.split('\n')) {
        if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
        else if (line.startsWith('event:')) gap = line.slice(line[6] === ' ' ? 7 : 6) === 'gap';
      }
      if (!data) continue;
      if (gap) this.receiveGap(JSON.parse(data) as { from: unknown; to: unknown });
      else this.receiveEnvelope(data, Buffer.byteLength(data), receivedAt);
    }
  }
}
