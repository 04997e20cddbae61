/**
 * Server-Sent Events over one streamed response. Events are split on the
 * blank line; `data:` lines carry the envelope, comments (heartbeats) and
 * `id:` lines are only bytes on the wire. A reconnect resumes with the cursor.
 */
import { requestHead } from './header-profiles.js';
import { HttpConnection } from './http-connection.js';
import { LoadClient } from './load-client.js';

export class SseClient extends LoadClient {
  #connection: HttpConnection | undefined;
  #closing = false;
  #pending = '';

  open(): Promise<void> {
    const opened = this.beginOpen();
    this.#pending = '';
    this.#connection = new HttpConnection(this.env, this.target, {
      onHead: (head) => this.settleOpen(head.status === 200 ? undefined : new Error(`SSE answered ${head.status}`)),
      onBody: (chunk, receivedAt) => this.#onText(chunk.toString(), receivedAt),
      onEnd: () => this.#connection?.close(),
      onClose: (error) => {
        this.settleOpen(error ?? new Error('connection closed before the stream opened'));
        if (!this.#closing) this.connectionLost(error);
      },
    });
    const path = `/sse?channel=${this.channel}&cursor=${this.tracker.last}`;
    this.#connection.send(requestHead(path, this.hostHeader, this.env.settings.headers, 'Accept: text/event-stream\r\n'));
    return opened;
  }

  close(): void {
    this.#closing = true;
    this.#connection?.socket.destroy();
    this.state = 'closed';
  }

  #onText(text: string, receivedAt: number): void {
    this.#pending += text;
    for (let end = this.#pending.indexOf('\n\n'); end !== -1; end = this.#pending.indexOf('\n\n')) {
      const event = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      let data = '';
      for (const line of event.split('\n')) {
        if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
      }
      if (data) this.receiveEnvelope(data, Buffer.byteLength(data), receivedAt);
    }
  }
}
