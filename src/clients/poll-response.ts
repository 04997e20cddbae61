/** Reading the polling body `{"cursor":M,"messages":[...],"gap"?:{"from":F,"to":T}}` for the lean clients. */
import { gunzipSync } from 'node:zlib';

/** Largest poll body a client inflates (a small gzip body can inflate to a great deal). */
export const MAX_POLL_BODY_BYTES = 8 * 1024 * 1024;

export interface PollBody {
  cursor: number;
  messages: { seq: number; ts: number; channel: string }[];
  /** Present when updates after the cursor were older than the history kept: they are gone. */
  gap?: { from: number; to: number };
}

/** Each envelope with its payload size: its JSON text as the server sent it. */
export function* envelopesOf(body: PollBody): Generator<[PollBody['messages'][number], number]> {
  for (const message of body.messages) yield [message, Buffer.byteLength(JSON.stringify(message))];
}

/**
 * The body's bytes as sent before any Content-Encoding: gzip is inflated
 * (throws past MAX_POLL_BODY_BYTES or on bad data), identity passes, any
 * other coding is an error, since the client asked for none.
 */
export function decodeBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  if (contentEncoding === undefined || contentEncoding === 'identity') return body;
  if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') return gunzipSync(body, { maxOutputLength: MAX_POLL_BODY_BYTES });
  throw new Error(`poll answered with content-encoding ${contentEncoding}, which the client does not take`);
}
