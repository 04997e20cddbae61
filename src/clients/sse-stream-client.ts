/**
 * What the lean SSE client and the adapter's SSE client share: one streamed
 * response on an HTTP connection (openHttp's: HTTP/1.1, or HTTP/2 for the
 * `+h2` variant), open once a 200 head arrives, and the event stream split
 * into events on the blank line (LF or CRLF line ends), each event's `data:`
 * lines joined and its `event:` type read. Comments (heartbeats) are only
 * bytes on the wire. Subclasses build the request and take each event.
 *
 * Hand-written for per-connection memory like the other lean clients: the
 * state is the connection and the text of an event not yet complete; an
 * `id:` line is handed over as it is, so a client that does not resume from
 * it allocates nothing for it.
 */
import type { HttpLink } from './http-connection.js';
import { LoadClient } from './load-client.js';

export abstract class SseStreamClient extends LoadClient {
  #connection: HttpLink | undefined;
  #pending = '';

  /** The head of the request for the stream (a lost stream is asked for again with it). */
  protected abstract streamHead(): string;

  /** An event with data: its type ('message' when it names none) and its `data:` lines joined by LF. */
  protected abstract onEvent(type: string, data: string, receivedAt: number): void;

  /** The failure of a stream answered with another status than 200. */
  protected abstract refused(status: number): Error;

  /** The failure of a first open whose connection closed before the stream's head. */
  protected abstract closedBeforeOpen(): Error;

  /** An `id:` line of the stream (the whole line): kept by a client that resumes from the last id. */
  protected onIdLine(_line: string): void {}

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
    connection.send(this.streamHead());
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
    if (this.opening) this.settleOpen(this.refused(status));
    else this.connectionLost(this.refused(status));
  }

  #onClose(connection: HttpLink, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    if (this.opening) this.settleOpen(error ?? this.closedBeforeOpen());
    else this.connectionLost(error);
  }

  #onText(text: string, receivedAt: number): void {
    this.#pending += text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    for (let end = this.#pending.indexOf('\n\n'); end !== -1; end = this.#pending.indexOf('\n\n')) {
      const event = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      let data = '';
      let type = 'message';
      for (const line of event.split('\n')) {
        if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5);
        else if (line.startsWith('event:')) type = line.slice(line[6] === ' ' ? 7 : 6);
        else if (line.startsWith('id:')) this.onIdLine(line);
      }
      if (data) this.onEvent(type, data, receivedAt);
    }
  }
}
