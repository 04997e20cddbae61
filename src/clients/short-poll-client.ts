/**
 * Short polling on a fixed schedule: poll k is due at phase + k * interval
 * (the phase is random, so a fleet does not poll in lockstep). A poll that is
 * still in flight when the next is due delays it: the achieved poll rate
 * then falls below the intended one, and the run reports both. A lost
 * connection is reopened after the backoff with a poll at once, from the
 * cursor, and the schedule goes on from there (the loop is polling-client.ts).
 */
import { acceptEncodingLine, requestHead } from './header-profiles.js';
import { decodeBody, envelopesOf, type PollBody } from './poll-response.js';
import { PollingClient } from './polling-client.js';

export class ShortPollClient extends PollingClient {
  #encoding: string | undefined;
  /** Polls sent (`polls`: those answered with 200 or 304). */
  requests = 0;

  protected get held(): boolean {
    return false;
  }

  protected pollHead(etag: string | undefined): string {
    this.requests++;
    const { settings } = this.env;
    const conditional = settings.conditional && etag ? `If-None-Match: ${etag}\r\n` : '';
    const extra = acceptEncodingLine(settings.headers, settings.gzip) + conditional;
    const path = `/poll?channel=${this.channel}&cursor=${this.tracker.last}`;
    return requestHead(path, this.hostHeader, settings.headers, extra);
  }

  protected readHead(headers: Map<string, string>): void {
    this.#encoding = headers.get('content-encoding');
  }

  protected read(status: number, body: Buffer, receivedAt: number): Error | undefined {
    if (status === 304) return undefined;
    if (status !== 200) return new Error(`poll answered ${status}: ${body.toString().slice(0, 200)}`);
    const parsed = JSON.parse(decodeBody(body, this.#encoding).toString()) as PollBody;
    // The gap comes before the messages kept after it.
    if (parsed.gap) this.receiveGap(parsed.gap);
    for (const [message, bytes] of envelopesOf(parsed)) this.env.deliveries.record(this.tracker, message, bytes, receivedAt);
    return undefined;
  }

  protected closedBeforeAnswer(): Error {
    return new Error('connection closed before the first poll was answered');
  }

  /** A poll close() caught in flight still counts as answered. */
  protected override answeredAfterClose(status: number): void {
    if (status === 200 || status === 304) this.polls++;
  }
}
