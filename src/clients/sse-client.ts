/**
 * Server-Sent Events over one streamed response (the stream is
 * sse-stream-client.ts): `data:` carries the envelope, `event: gap` events a
 * gap signal, `id:` lines are only bytes on the wire. A reconnect asks for
 * the same URL with `Last-Event-ID: <last seq>`, as an EventSource does, and
 * the server resumes from it.
 */
import { requestHead } from './header-profiles.js';
import { SseStreamClient } from './sse-stream-client.js';

const ACCEPT = 'Accept: text/event-stream\r\n';

export class SseClient extends SseStreamClient {
  protected streamHead(): string {
    const resume = this.reconnecting ? `Last-Event-ID: ${this.tracker.last}\r\n` : '';
    const path = `/sse?channel=${this.channel}&cursor=${this.tracker.first}`;
    return requestHead(path, this.hostHeader, this.env.settings.headers, ACCEPT + resume);
  }

  protected onEvent(type: string, data: string, receivedAt: number): void {
    if (type === 'gap') this.receiveGap(JSON.parse(data) as { from: unknown; to: unknown });
    else this.receiveEnvelope(data, Buffer.byteLength(data), receivedAt);
  }

  protected refused(status: number): Error {
    return new Error(`SSE answered ${status}`);
  }

  protected closedBeforeOpen(): Error {
    return new Error('connection closed before the stream opened');
  }
}
