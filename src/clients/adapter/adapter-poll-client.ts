/**
 * The lean polling client (one keep-alive KeepAliveLink, raw request
 * heads) parameterised by an adapter's `poll` or `longPoll` section: the
 * app's path built from the channel and the cursor its last answer gave,
 * `If-None-Match` with the last ETag when the app supports it (a 304
 * carries nothing new), and the items of each 200 answer searched for
 * markers. Short polling keeps a fixed schedule from a random phase (as
 * short-poll-client.ts); long polling sends the next request the moment an
 * answer arrives.
 */
import type { PollSubscriber } from '../../adapter/types.js';
import { requestHead } from '../header-profiles.js';
import type { KeepAliveLink } from '../keep-alive-link.js';
import { LoadClient, type ClientEnvironment, type ClientTarget } from '../load-client.js';
import { type AdapterContext, deliverMarkers, headerLines } from './adapter-context.js';

export class AdapterPollClient extends LoadClient {
  #connection: KeepAliveLink | undefined;
  #etag: string | undefined;
  #cursor: string | undefined;
  #nextDue = 0;
  #timer: NodeJS.Timeout | undefined;
  #body: Buffer[] = [];
  #status = 0;
  #headers: Map<string, string> | undefined;
  /** Polls answered (200 or 304): the achieved poll rate of short polling. */
  polls = 0;

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

  protected connect(): void {
    this.#body = [];
    if (this.held || this.reconnecting) {
      this.#nextDue = performance.now();
      AdapterPollClient.#first(this);
      return;
    }
    this.#nextDue = performance.now() + Math.random() * this.env.settings.pollIntervalMs;
    this.#timer = setTimeout(AdapterPollClient.#first, this.#nextDue - performance.now(), this);
  }

  static #first(client: AdapterPollClient): void {
    const connection = client.#newConnection();
    client.#connection = connection;
    // A held request may wait for its answer as long as the server holds it: open once connected, as long-poll-client.ts.
    if (client.held) {
      connection.connected().then(
        () => connection === client.#connection && client.settleOpen(undefined, false),
        (error: Error) => connection === client.#connection && client.settleOpen(error),
      );
    }
    client.#poll();
  }

  static #due(client: AdapterPollClient): void {
    client.#poll();
  }

  protected disconnect(): void {
    clearTimeout(this.#timer);
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
  }

  #newConnection(): KeepAliveLink {
    const connection: KeepAliveLink = this.keepAliveHttp({
      onHead: (head) => {
        this.#status = head.status;
        this.#headers = head.headers;
        const etag = head.headers.get('etag');
        if (etag) this.#etag = etag;
      },
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onAnswer(connection, receivedAt),
      onClose: (error) => this.#onClose(connection, error),
    });
    return connection;
  }

  #path(): string {
    const { path } = this.spec;
    const value = typeof path === 'function' ? path(this.channel, this.#cursor) : path;
    if (typeof value !== 'string' || !value.startsWith('/'))
      throw new Error(`adapter: poll path must start with /, got ${JSON.stringify(value)}`);
    return value;
  }

  #poll(): void {
    if (!this.#connection) return;
    const spec = this.spec;
    const conditional = spec.etag && this.#etag ? `If-None-Match: ${this.#etag}\r\n` : '';
    this.#connection.send(requestHead(this.#path(), this.hostHeader, this.env.settings.headers, headerLines(spec.headers) + conditional));
  }

  #onAnswer(connection: KeepAliveLink, receivedAt: number): void {
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    this.#body = [];
    if (connection !== this.#connection) return;
    if (this.#status === 200) {
      this.#read(body.toString(), receivedAt);
    } else if (this.#status !== 304) {
      connection.close(new Error(`subscribe: GET ${this.#path()} answered ${this.#status}: ${body.toString().slice(0, 200)}`));
      return;
    }
    if (!this.held) this.polls++;
    this.markHealthy();
    this.settleOpen();
    this.#schedule();
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

  #schedule(): void {
    if (!this.#connection) return;
    if (this.held) {
      this.#poll();
      return;
    }
    this.#nextDue += this.env.settings.pollIntervalMs;
    const wait = this.#nextDue - performance.now();
    if (wait <= 0) {
      this.#nextDue = performance.now();
      this.#poll();
    } else {
      this.#timer = setTimeout(AdapterPollClient.#due, wait, this);
    }
  }

  #onClose(connection: KeepAliveLink, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    clearTimeout(this.#timer);
    if (this.opening) this.settleOpen(error ?? new Error('subscribe: connection closed before the first poll was answered'));
    else this.connectionLost(error);
  }
}
