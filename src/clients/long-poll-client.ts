/**
 * Long polling: one request held by the server at a time, the next sent the
 * moment an answer arrives, always from the last seq seen, so nothing
 * published between two requests is lost. The client is open once its
 * connection is (the request is then held); after a reconnect the backoff
 * starts over only once an answer came, so a server that accepts and drops
 * connections still meets a growing backoff.
 */
import { acceptEncodingLine, requestHead } from './header-profiles.js';
import type { KeepAliveLink } from './keep-alive-link.js';
import { LoadClient } from './load-client.js';
import { decodeBody, envelopesOf, type PollBody } from './poll-response.js';

export class LongPollClient extends LoadClient {
  #connection: KeepAliveLink | undefined;
  #body: Buffer[] = [];
  #status = 0;
  #encoding: string | undefined;

  protected connect(): void {
    this.#body = [];
    const connection: KeepAliveLink = this.keepAliveHttp({
      onHead: (head) => {
        this.#status = head.status;
        this.#encoding = head.headers.get('content-encoding');
      },
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onAnswer(connection, receivedAt),
      onClose: (error) => this.#onClose(connection, error),
    });
    this.#connection = connection;
    connection.connected().then(
      () => {
        if (connection === this.#connection) this.settleOpen(undefined, false);
      },
      (error: Error) => {
        if (connection === this.#connection) this.settleOpen(error);
      },
    );
    this.#poll();
  }

  protected disconnect(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
  }

  #poll(): void {
    const path = `/long-poll?channel=${this.channel}&cursor=${this.tracker.last}&timeout=${this.env.settings.longPollTimeoutMs}`;
    const { headers, gzip } = this.env.settings;
    this.#connection?.send(requestHead(path, this.hostHeader, headers, acceptEncodingLine(headers, gzip)));
  }

  #onAnswer(connection: KeepAliveLink, receivedAt: number): void {
    if (connection !== this.#connection) return;
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    this.#body = [];
    if (this.#status !== 200) {
      connection.close(new Error(`long poll answered ${this.#status}: ${body.toString().slice(0, 200)}`));
      return;
    }
    this.markHealthy();
    const parsed = JSON.parse(decodeBody(body, this.#encoding).toString()) as PollBody;
    // The gap comes before the messages kept after it.
    if (parsed.gap) this.receiveGap(parsed.gap);
    for (const [message, bytes] of envelopesOf(parsed)) this.env.deliveries.record(this.tracker, message, bytes, receivedAt);
    this.#poll();
  }

  #onClose(connection: KeepAliveLink, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    if (this.opening) this.settleOpen(error ?? new Error('connection closed before it opened'));
    else this.connectionLost(error);
  }
}
