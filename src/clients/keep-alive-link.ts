/**
 * HTTP/1.1 connection reuse as a browser (or engine.io-client over XHR)
 * does it, for the lean polling clients: requests go one at a time on a
 * keep-alive connection, and once the server has ended that connection
 * after a complete response (it said `Connection: close`, or it closed an
 * idle keep-alive connection), the next request goes on a new one. That is
 * not a loss: only a connection that fails (a reset, at any time) or closes
 * with a request in flight (before the response ended) reaches onClose, as a
 * failure of the session. One exception for requests answered at once
 * (short polls), as browsers and undici make it for an idempotent request: a
 * reused connection that the server ends cleanly just as the next request
 * goes out (its idle close crossed the request, nothing of an answer came)
 * gets that request again on a new connection.
 * Socket.IO in cluster mode behind @socket.io/sticky answers every polling
 * request with `Connection: close`.
 */
import type { ConnectionHandlers, HttpLink } from './http-connection.js';

/** Opens one connection (HTTP/1.1 or HTTP/2) with the given handlers. */
export type LinkOpener = (handlers: ConnectionHandlers) => HttpLink;

export class KeepAliveLink {
  #current: HttpLink | undefined;
  /** A request was sent on #current and its response has not ended. */
  #inFlight = false;
  /** The response in flight said `Connection: close`: once it ended, #current takes no more requests. */
  #spent = false;
  /** close() or destroy() was called: the next close of #current is reported, and nothing more is sent. */
  #closing = false;
  /** #current carried a complete response before the request in flight: an idle close may cross that request. */
  #reused = false;
  /** Part of the answer to the request in flight has arrived. */
  #answered = false;
  /** The request in flight, sent again once if an idle close crossed it. */
  #lastHead = '';
  /** Connections opened, the first included. */
  opened = 0;

  constructor(
    readonly open: LinkOpener,
    readonly handlers: ConnectionHandlers,
    /** Called for every connection opened after the first: a reuse, not a loss. */
    readonly onReopen: () => void = () => {},
    /** Requests are answered at once (short polls): one an idle close crossed is sent again. */
    readonly resendCrossed = false,
  ) {
    this.#current = this.#open();
  }

  /** The current connection's connect; resolved at once when none is open (the next send opens one). */
  connected(): Promise<void> {
    return this.#current ? this.#current.connected() : Promise.resolve();
  }

  send(head: string): void {
    if (this.#closing) return;
    if (!this.#current || this.#spent) {
      this.#retire();
      this.#current = this.#open();
      this.onReopen();
    }
    this.#inFlight = true;
    this.#answered = false;
    this.#lastHead = head;
    this.#current.send(head);
  }

  /** Ends the current connection gracefully; a `cause` (an answer that ended it) is what onClose reports. */
  close(cause?: Error): void {
    this.#closing = true;
    if (this.#current) this.#current.close(cause);
    else if (cause) queueMicrotask(() => this.handlers.onClose(cause));
  }

  /** Drops the current connection at once (its close event reports nothing the caller still listens to). */
  destroy(): void {
    this.#closing = true;
    this.#current?.socket.destroy();
  }

  #open(): HttpLink {
    this.opened++;
    this.#inFlight = this.#spent = this.#reused = false;
    const link: HttpLink = this.open({
      onHead: (head, receivedAt) => {
        if (link !== this.#current) return;
        this.#answered = true;
        // `Connection: close` (a token list, case-insensitive): the server ends the connection after this response.
        this.#spent = /(?:^|,)\s*close\s*(?:,|$)/i.test(head.headers.get('connection') ?? '');
        this.handlers.onHead(head, receivedAt);
      },
      onBody: (chunk, receivedAt) => link === this.#current && this.handlers.onBody(chunk, receivedAt),
      onEnd: (receivedAt) => this.#onEnd(link, receivedAt),
      onClose: (error) => this.#onClose(link, error),
    });
    return link;
  }

  #onEnd(link: HttpLink, receivedAt: number): void {
    if (link !== this.#current) return;
    this.#inFlight = false;
    this.#reused = true;
    this.handlers.onEnd(receivedAt);
    // Not reused once the server said it closes it (onEnd may already have sent the next request on a new one).
    if (this.#spent && link === this.#current && !this.#closing) this.#retire();
  }

  #onClose(link: HttpLink, error: Error | undefined): void {
    if (link !== this.#current) return;
    this.#current = undefined;
    if (this.resendCrossed && this.#inFlight && this.#reused && !this.#answered && !error && !this.#closing) {
      // The server's idle close crossed the request: send it again on a new connection (once: that one is not reused).
      this.#inFlight = false;
      this.send(this.#lastHead);
      return;
    }
    // Ended cleanly between requests, it was let go by the server (the next request opens another); a reset is a loss.
    if (this.#inFlight || this.#closing || error) this.handlers.onClose(error);
  }

  /** Lets the current connection go (its late events find it no longer current). */
  #retire(): void {
    const link = this.#current;
    this.#current = undefined;
    link?.close();
  }
}
