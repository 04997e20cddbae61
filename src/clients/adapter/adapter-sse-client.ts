/**
 * The lean SSE client (one streamed response, sse-stream-client.ts)
 * parameterised by an adapter's `sse` section: the app's path and headers,
 * the event types that carry updates, and `Last-Event-ID` with the last
 * `id:` seen when a lost stream is asked for again, as EventSource does.
 * Markers are looked for in each event's data.
 */
import { requestHead } from '../header-profiles.js';
import type { ClientEnvironment, ClientTarget } from '../load-client.js';
import { SseStreamClient } from '../sse-stream-client.js';
import { type AdapterContext, channelPath, deliverMarkers, headerLines } from './adapter-context.js';

const ACCEPT = 'Accept: text/event-stream\r\n';

export class AdapterSseClient extends SseStreamClient {
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

  protected streamHead(): string {
    const spec = this.context.adapter.sse!;
    const resume = this.#lastId !== undefined && spec.lastEventId !== false ? `Last-Event-ID: ${this.#lastId}\r\n` : '';
    const path = channelPath(spec.path, this.channel);
    return requestHead(path, this.hostHeader, this.env.settings.headers, ACCEPT + headerLines(spec.headers) + resume);
  }

  /** Only the data of the wanted event types is searched. */
  protected onEvent(type: string, data: string, receivedAt: number): void {
    const events = this.context.adapter.sse!.events;
    if (events && !events.includes(type)) return;
    deliverMarkers(this.context, this, data, receivedAt);
  }

  protected override onIdLine(line: string): void {
    this.#lastId = line.slice(line[3] === ' ' ? 4 : 3);
  }

  protected refused(status: number): Error {
    return new Error(`subscribe: GET ${channelPath(this.context.adapter.sse!.path, this.channel)} answered ${status}`);
  }

  protected closedBeforeOpen(): Error {
    return new Error('subscribe: connection closed before the stream opened');
  }
}
