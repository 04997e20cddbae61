/**
 * Long polling: one request held by the server at a time, the next sent the
 * moment an answer arrives, always from the last seq seen, so nothing
 * published between two requests is lost.
 */
import { requestHead } from './header-profiles.js';
import { HttpConnection } from './http-connection.js';
import { LoadClient } from './load-client.js';
import { envelopesOf, type PollBody } from './poll-response.js';

export class LongPollClient extends LoadClient {
  #connection: HttpConnection | undefined;
  #closing = false;
  #body: Buffer[] = [];
  #status = 0;

  open(): Promise<void> {
    const opened = this.beginOpen();
    this.#connect();
    this.#connection!.connected().then(
      () => this.settleOpen(),
      (error: Error) => this.settleOpen(error),
    );
    this.#poll();
    return opened;
  }

  close(): void {
    this.#closing = true;
    this.#connection?.close();
    this.state = 'closed';
  }

  #connect(): void {
    this.#connection = new HttpConnection(this.env, this.target, {
      onHead: (head) => (this.#status = head.status),
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onAnswer(receivedAt),
      onClose: (error) => this.#onClose(error),
    });
  }

  #poll(): void {
    if (this.#closing) return;
    const path = `/long-poll?channel=${this.channel}&cursor=${this.tracker.last}&timeout=${this.env.settings.longPollTimeoutMs}`;
    this.#connection!.send(requestHead(path, this.hostHeader, this.env.settings.headers));
  }

  #onAnswer(receivedAt: number): void {
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    this.#body = [];
    if (this.#status !== 200) {
      this.#connection?.close(new Error(`long poll answered ${this.#status}: ${body.toString().slice(0, 200)}`));
      return;
    }
    const parsed = JSON.parse(body.toString()) as PollBody;
    for (const [message, bytes] of envelopesOf(parsed)) this.env.deliveries.record(this.tracker, message, bytes, receivedAt);
    this.#poll();
  }

  #onClose(error: Error | undefined): void {
    if (this.#closing) return;
    if (this.opening) this.settleOpen(error ?? new Error('connection closed before it opened'));
    else this.connectionLost(error);
  }

  protected override reopen(): void {
    this.#body = [];
    this.#connect();
    this.#poll();
  }
}
