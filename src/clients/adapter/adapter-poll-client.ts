/**
 * The lean polling client (one keep-alive KeepAliveLink, raw request
 * heads) parameterised by an adapter's `poll` or `longPoll` section: the
 * app's path built from the channel and the cursor its last answer gave,
 * `If-None-Match` with the last ETag when the app supports it (a 304
 * carries nothing new), and the items of each 200 answer searched for
 * markers. Short polling keeps a fixed schedule from a random phase;
 * long polling sends the next request the moment an answer arrives (the
 * loop is polling-client.ts, as for short-poll-client.ts).
 */
import type { PollSubscriber } from '../../adapter/types.js';
import { requestHead } from '../header-profiles.js';
import type { ClientEnvironment, ClientTarget } from '../load-client.js';
import { PollingClient } from '../polling-client.js';
import { type AdapterContext, deliverMarkers, headerLines } from './adapter-context.js';

export class AdapterPollClient extends PollingClient {
  #cursor: string | undefined;
  #headers: Map<string, string> | undefined;

  constructor(
    readonly context: AdapterContext,
    /** Long polling: the next request as soon as one is answered. */
    readonly held: boolean,
    env: ClientEnvironment,
    target: ClientTarget,
    channel: string,
  ) {
    super(env, target, channel);
  }

  get spec(): PollSubscriber {
    return (this.held ? this.context.adapter.longPoll : this.context.adapter.poll)!;
  }

  #path(): string {
    const { path } = this.spec;
    const value = typeof path === 'function' ? path(this.channel, this.#cursor) : path;
    if (typeof value !== 'string' || !value.startsWith('/'))
      throw new Error(`adapter: poll path must start with /, got ${JSON.stringify(value)}`);
    return value;
  }

  protected pollHead(etag: string | undefined): string {
    const spec = this.spec;
    const conditional = spec.etag && etag ? `If-None-Match: ${etag}\r\n` : '';
    return requestHead(this.#path(), this.hostHeader, this.env.settings.headers, headerLines(spec.headers) + conditional);
  }

  protected readHead(headers: Map<string, string>): void {
    this.#headers = headers;
  }

  protected read(status: number, body: Buffer, receivedAt: number): Error | undefined {
    if (status === 200) this.#read(body.toString(), receivedAt);
    else if (status !== 304) return new Error(`subscribe: GET ${this.#path()} answered ${status}: ${body.toString().slice(0, 200)}`);
    return undefined;
  }

  protected closedBeforeAnswer(): Error {
    return new Error('subscribe: connection closed before the first poll was answered');
  }

  /** Markers in the items (or the whole body), then the cursor for the next request. */
  #read(text: string, receivedAt: number): void {
    const spec = this.spec;
    if (!spec.items && !spec.cursor) {
      deliverMarkers(this.context, this, text, receivedAt);
      return;
    }
    const body: unknown = JSON.parse(text);
    if (spec.items) {
      const items = spec.items(body);
      if (!Array.isArray(items)) throw new Error(`adapter: poll.items must return an array, got ${typeof items}`);
      for (const item of items) deliverMarkers(this.context, this, typeof item === 'string' ? item : JSON.stringify(item), receivedAt);
    } else {
      deliverMarkers(this.context, this, text, receivedAt);
    }
    if (spec.cursor) this.#cursor = spec.cursor(body, Object.fromEntries(this.#headers ?? [])) ?? this.#cursor;
  }
}
