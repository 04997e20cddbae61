/**
 * The lean SSE client (one streamed response on the shared HttpConnection)
 * parameterised by an adapter's `sse` section: the app's path and headers,
 * the event types that carry updates, and `Last-Event-ID` with the last
 * `id:` seen when a lost stream is asked for again, as EventSource does.
 * Markers are looked for in each event's data.
 */
import { requestHead } from '../header-profiles.js';
import { HttpConnection } from '../http-connection.js';
import { LoadClient, type ClientEnvironment, type ClientTarget } from '../load-client.js';
import { type AdapterContext, channelPath, deliverMarkers, headerLines } from './adapter-context.js';

const ACCEPT = 'Accept: text/event-stream\r\n';

export class AdapterSseClient extends LoadClient {
  #connection: HttpConnection | undefined;
  #pending = '';
  /** The last `id:` the stream gave (resumes with Last-Event-ID). */
  #lastId: string | undefined;

  constructor(
    readonly context: AdapterContext,
    env: ClientEnvironment,
    target: ClientTarget,
    channel: string,
  ) {
    super(env, target, channel);
  }

  protected connect(): void {
    const spec = this.context.adapter.sse!;
    this.#pending = '';
    const connection: HttpConnection = new HttpConnection(this.env, this.target, {
      onHead: (head) => this.#onHead(connection, head.status),
      onBody: (chunk, receivedAt) => {
        if (connection === this.#connection) this.#onText(chunk.toString(), receivedAt);
      },
      onEnd: () => connection.close(),
      onClose: (error) => this.#onClose(connection, error),
    });
    this.#connection = connection;
    const resume = this.#lastId !== undefined && spec.lastEventId !== false ? `Last-Event-ID: ${this.#lastId}\r\n` : '';
    const path = channelPath(spec.path, this.channel);
    connection.send(requestHead(path, this.hostHeader, this.env.settings.headers, ACCEPT + headerLines(spec.headers) + resume));
  }

  protected disconnect(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.socket.destroy();
  }

  #onHead(connection: HttpConnection, status: number): void {
    if (connection !== this.#connection) return;
    if (status === 200) {
      this.settleOpen();
      return;
    }
    this.#connection = undefined;
    connection.socket.destroy();
    const error = new Error(`subscribe: GET ${channelPath(this.context.adapter.sse!.path, this.channel)} answered ${status}`);
    if (this.opening) this.settleOpen(error);
    else this.connectionLost(error);
  }

  #onClose(connection: HttpConnection, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    if (this.opening) this.settleOpen(error ?? new Error('subscribe: connection closed before the stream opened'));
    else this.connectionLost(error);
  }

  /** Events end on a blank line (LF or CRLF line ends); only `data:` of the wanted types is searched. */
  #onText(text: string, receivedAt: number): void {
    this.#pending += text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    const events = this.context.adapter.sse!.events;
    for (let end = this.#pending.indexOf('\n\n'); end !== -1; end = this.#pending.indexOf('\n\n')) {
      const block = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      let data = '';
      let type = 'message';
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
        else if (line.startsWith('event:')) type = line.slice(line[6] === ' ' ? 7 : 6);
        else if (line.startsWith('id:')) this.#lastId = line.slice(line[3] === ' ' ? 4 : 3);
      }
      if (!data || (events && !events.includes(type))) continue;
      deliverMarkers(this.context, this, data, receivedAt);
    }
  }
}
