/**
 * Short polling on a fixed schedule: poll k is due at phase + k * interval
 * (the phase is random, so a fleet does not poll in lockstep). A poll that is
 * still in flight when the next is due delays it: the achieved poll rate
 * then falls below the intended one, and the run reports both.
 */
import { requestHead } from './header-profiles.js';
import { HttpConnection } from './http-connection.js';
import { LoadClient } from './load-client.js';
import { envelopesOf, type PollBody } from './poll-response.js';

export class ShortPollClient extends LoadClient {
  #connection: HttpConnection | undefined;
  #closing = false;
  #etag: string | undefined;
  #nextDue = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;
  #body: Buffer[] = [];
  #status = 0;
  /** Polls sent, and polls answered (200 or 304). */
  requests = 0;
  polls = 0;

  open(): Promise<void> {
    const opened = this.beginOpen();
    this.#connect();
    // The first poll goes out at a random phase of the interval, and every
    // later one a whole number of intervals after it.
    this.#nextDue = performance.now() + Math.random() * this.env.settings.pollIntervalMs;
    this.#timer = setTimeout(() => this.#poll(), this.#nextDue - performance.now());
    return opened;
  }

  close(): void {
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#connection?.close();
    this.state = 'closed';
  }

  #connect(): void {
    this.#connection = new HttpConnection(this.env, this.target, {
      onHead: (head) => {
        this.#status = head.status;
        const etag = head.headers.get('etag');
        if (etag) this.#etag = etag;
      },
      onBody: (chunk) => this.#body.push(chunk),
      onEnd: (receivedAt) => this.#onAnswer(receivedAt),
      onClose: (error) => this.#onClose(error),
    });
  }

  #poll(): void {
    if (this.#closing) return;
    this.#inFlight = true;
    this.requests++;
    const extra = this.env.settings.conditional && this.#etag ? `If-None-Match: ${this.#etag}\r\n` : '';
    const path = `/poll?channel=${this.channel}&cursor=${this.tracker.last}`;
    this.#connection!.send(requestHead(path, this.hostHeader, this.env.settings.headers, extra));
  }

  #onAnswer(receivedAt: number): void {
    this.#inFlight = false;
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    this.#body = [];
    if (this.#status === 200) {
      const parsed = JSON.parse(body.toString()) as PollBody;
      for (const [message, bytes] of envelopesOf(parsed)) this.env.deliveries.record(this.tracker, message, bytes, receivedAt);
    } else if (this.#status !== 304) {
      this.#connection?.close(new Error(`poll answered ${this.#status}: ${body.toString().slice(0, 200)}`));
      return;
    }
    this.polls++;
    this.settleOpen();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closing) return;
    const interval = this.env.settings.pollIntervalMs;
    this.#nextDue += interval;
    const wait = this.#nextDue - performance.now();
    if (wait <= 0) {
      // Behind schedule: poll now, and do not try to catch up with a burst.
      this.#nextDue = performance.now();
      this.#poll();
    } else {
      this.#timer = setTimeout(() => this.#poll(), wait);
    }
  }

  #onClose(error: Error | undefined): void {
    if (this.#closing) return;
    if (this.opening) this.settleOpen(error ?? new Error('connection closed before the first poll was answered'));
    else this.connectionLost(error);
  }

  protected override reopen(): void {
    clearTimeout(this.#timer);
    this.#body = [];
    this.#connect();
    if (this.#inFlight) this.#poll();
    else this.#schedule();
  }
}
