/**
 * Short polling on a fixed schedule: poll k is due at phase + k * interval
 * (the phase is random, so a fleet does not poll in lockstep). A poll that is
 * still in flight when the next is due delays it: the achieved poll rate
 * then falls below the intended one, and the run reports both. A lost
 * connection is reopened after the backoff with a poll at once, from the
 * cursor, and the schedule goes on from there.
 */
import { acceptEncodingLine, requestHead } from './header-profiles.js';
import type { KeepAliveLink } from './keep-alive-link.js';
import { LoadClient } from './load-client.js';
import { decodeBody, envelopesOf, type PollBody } from './poll-response.js';

export class ShortPollClient extends LoadClient {
  #connection: KeepAliveLink | undefined;
  #etag: string | undefined;
  #nextDue = 0;
  #timer: NodeJS.Timeout | undefined;
  #body: Buffer[] = [];
  #status = 0;
  #encoding: string | undefined;
  /** Polls sent, and polls answered (200 or 304). */
  requests = 0;
  polls = 0;

  protected connect(): void {
    this.#body = [];
    if (this.reconnecting) {
      // The backoff already spread the attempts out: poll now.
      this.#nextDue = performance.now();
      ShortPollClient.#first(this);
      return;
    }
    // The first poll goes out at a random phase of the interval, and every
    // later one a whole number of intervals after it.
    this.#nextDue = performance.now() + Math.random() * this.env.settings.pollIntervalMs;
    this.#timer = setTimeout(ShortPollClient.#first, this.#nextDue - performance.now(), this);
  }

  /**
   * The connection opens with its first poll, as a browser's does: a socket
   * left idle before its first request would meet the server's header
   * timeout (408) whenever the phase is longer than it.
   */
  static #first(client: ShortPollClient): void {
    client.#connection = client.#newConnection();
    client.#poll();
  }

  protected disconnect(): void {
    clearTimeout(this.#timer);
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
  }

  static #due(client: ShortPollClient): void {
    client.#poll();
  }

  #newConnection(): KeepAliveLink {
    const connection: KeepAliveLink = this.keepAliveHttp({
      onHead: (head) => {
        this.#status = head.status;
        this.#encoding = head.headers.get('content-encoding');
        const etag = head.headers.get('etag');
        if (etag) this.#etag = etag;
      },
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onAnswer(connection, receivedAt),
      onClose: (error) => this.#onClose(connection, error),
    });
    return connection;
  }

  #poll(): void {
    if (!this.#connection) return;
    this.requests++;
    const { settings } = this.env;
    const conditional = settings.conditional && this.#etag ? `If-None-Match: ${this.#etag}\r\n` : '';
    const extra = acceptEncodingLine(settings.headers, settings.gzip) + conditional;
    const path = `/poll?channel=${this.channel}&cursor=${this.tracker.last}`;
    this.#connection.send(requestHead(path, this.hostHeader, this.env.settings.headers, extra));
  }

  #onAnswer(connection: KeepAliveLink, receivedAt: number): void {
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    this.#body = [];
    if (connection !== this.#connection) {
      // A poll close() caught in flight: answered (its bytes are counted), nothing more.
      if (this.#status === 200 || this.#status === 304) this.polls++;
      return;
    }
    if (this.#status === 200) {
      const parsed = JSON.parse(decodeBody(body, this.#encoding).toString()) as PollBody;
      // The gap comes before the messages kept after it.
      if (parsed.gap) this.receiveGap(parsed.gap);
      for (const [message, bytes] of envelopesOf(parsed)) this.env.deliveries.record(this.tracker, message, bytes, receivedAt);
    } else if (this.#status !== 304) {
      connection.close(new Error(`poll answered ${this.#status}: ${body.toString().slice(0, 200)}`));
      return;
    }
    this.polls++;
    this.settleOpen();
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#connection) return;
    const interval = this.env.settings.pollIntervalMs;
    this.#nextDue += interval;
    const wait = this.#nextDue - performance.now();
    if (wait <= 0) {
      // Behind schedule: poll now, and do not try to catch up with a burst.
      this.#nextDue = performance.now();
      this.#poll();
    } else {
      this.#timer = setTimeout(ShortPollClient.#due, wait, this);
    }
  }

  #onClose(connection: KeepAliveLink, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    clearTimeout(this.#timer);
    if (this.opening) this.settleOpen(error ?? new Error('connection closed before the first poll was answered'));
    else this.connectionLost(error);
  }
}
