/**
 * The polling loop that the lean short-poll client and the adapter's poll
 * client share: one keep-alive link (a new connection whenever the server
 * ended one after an answer), the last ETag, an answer's body gathered from
 * its chunks, and when the next request goes out. Short polls are due at
 * phase + k * interval from a random phase (so a fleet does not poll in
 * lockstep); a poll still in flight when the next is due delays it, and a
 * client behind schedule polls at once rather than catching up with a burst.
 * Held (long) polls go out the moment an answer arrives. A lost connection is
 * reopened after the backoff with a request at once. Subclasses build each
 * request and read each answer.
 *
 * Hand-written for per-connection memory like the other lean clients: the
 * state is a few fields, and the timers take the client as their argument
 * (static callbacks) instead of a closure per poll. long-poll-client.ts does
 * not use it: it keeps no ETag and no schedule, so it holds fewer fields.
 */
import type { KeepAliveLink } from './keep-alive-link.js';
import { LoadClient } from './load-client.js';

export abstract class PollingClient extends LoadClient {
  #connection: KeepAliveLink | undefined;
  #etag: string | undefined;
  #nextDue = 0;
  #timer: NodeJS.Timeout | undefined;
  #body: Buffer[] = [];
  #status = 0;
  /** Polls answered (200 or 304) by short polling: its achieved poll rate. */
  polls = 0;

  /** Long polling: the next request as soon as one is answered, and open once connected (the server holds the request). */
  protected abstract get held(): boolean;

  /** The head of the next request; `etag` is the last ETag answered, for If-None-Match. */
  protected abstract pollHead(etag: string | undefined): string;

  /** Keeps what reading the answer to come needs of its head (its status and ETag are kept already). */
  protected abstract readHead(headers: Map<string, string>): void;

  /** Reads an answer on the current connection: an Error closes the connection with it; otherwise the next poll follows. */
  protected abstract read(status: number, body: Buffer, receivedAt: number): Error | undefined;

  /** The failure of a first open whose connection closed before any answer. */
  protected abstract closedBeforeAnswer(): Error;

  /** An answer to a poll that close() caught in flight: its bytes are counted, nothing more is done with it. */
  protected answeredAfterClose(_status: number): void {}

  protected connect(): void {
    this.#body = [];
    if (this.held || this.reconnecting) {
      // Nothing to spread out (held), or the backoff already did: poll now.
      this.#nextDue = performance.now();
      PollingClient.#first(this);
      return;
    }
    // The first poll goes out at a random phase of the interval, and every
    // later one a whole number of intervals after it.
    this.#nextDue = performance.now() + Math.random() * this.env.settings.pollIntervalMs;
    this.#timer = setTimeout(PollingClient.#first, this.#nextDue - performance.now(), this);
  }

  /**
   * The connection opens with its first poll, as a browser's does: a socket
   * left idle before its first request would meet the server's header
   * timeout (408) whenever the phase is longer than it.
   */
  static #first(client: PollingClient): void {
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

  static #due(client: PollingClient): void {
    client.#poll();
  }

  protected disconnect(): void {
    clearTimeout(this.#timer);
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
  }

  #newConnection(): KeepAliveLink {
    const connection: KeepAliveLink = this.keepAliveHttp(
      {
        onHead: (head) => {
          this.#status = head.status;
          this.readHead(head.headers);
          const etag = head.headers.get('etag');
          if (etag) this.#etag = etag;
        },
        onBody: (chunk) => this.#body.push(chunk),
        onEnd: (receivedAt) => this.#onAnswer(connection, receivedAt),
        onClose: (error) => this.#onClose(connection, error),
      },
      !this.held,
    );
    return connection;
  }

  #poll(): void {
    if (!this.#connection) return;
    this.#connection.send(this.pollHead(this.#etag));
  }

  #onAnswer(connection: KeepAliveLink, receivedAt: number): void {
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    this.#body = [];
    if (connection !== this.#connection) {
      this.answeredAfterClose(this.#status);
      return;
    }
    const error = this.read(this.#status, body, receivedAt);
    if (error) {
      connection.close(error);
      return;
    }
    if (!this.held) this.polls++;
    this.markHealthy();
    this.settleOpen();
    this.#schedule();
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
      // Behind schedule: poll now, and do not try to catch up with a burst.
      this.#nextDue = performance.now();
      this.#poll();
    } else {
      this.#timer = setTimeout(PollingClient.#due, wait, this);
    }
  }

  #onClose(connection: KeepAliveLink, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    clearTimeout(this.#timer);
    if (this.opening) this.settleOpen(error ?? this.closedBeforeAnswer());
    else this.connectionLost(error);
  }
}
