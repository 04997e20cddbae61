/**
 * What every transport checks when a client names a cursor, and what it owes
 * a client that resumes: the cursor may not be ahead of the channel's head
 * (such a client would wait forever for seqs that never come), and when
 * messages between the cursor and the oldest one kept are gone, the client
 * is told so (a gap) instead of being handed a silent hole.
 *
 * Under --workers a worker's hub follows the primary's over IPC and may lag
 * it by the messages in flight, so a client that saw seq N on one worker and
 * resumes on another may be a little ahead of that worker's head. A replica
 * therefore accepts a cursor up to REPLICA_CURSOR_LEAD ahead; the process
 * that numbers the messages itself (LocalBus) accepts none.
 */
import { RequestError } from './errors.js';
import type { Gap, Hub, HubMessage } from './hub.js';
import { LocalBus } from './publish.js';
import type { ServerContext } from './transport.js';

export const REPLICA_CURSOR_LEAD = 1000;

export function cursorAhead(channel: string, cursor: number, head: number): RequestError {
  return new RequestError(`cursor ${cursor} is ahead of channel ${channel}, whose last seq is ${head}`, 400, 1008, 'RTB_ERR_CURSOR_AHEAD');
}

/** Throws RTB_ERR_CURSOR_AHEAD (400 / close 1008) when `cursor` is past what the channel can reach. */
export function checkCursorReachable(context: ServerContext, channel: string, cursor: number): void {
  const head = context.hub.head(channel);
  const lead = context.bus instanceof LocalBus ? 0 : REPLICA_CURSOR_LEAD;
  if (cursor > head + lead) throw cursorAhead(channel, cursor, head);
}

/** What a client resuming from a cursor gets: the gap, if any, then the messages kept after it. */
export interface Resume {
  gap: Gap | undefined;
  messages: HubMessage[];
}

export function resume(hub: Hub, channel: string, cursor: number): Resume {
  return { gap: hub.gapAfter(channel, cursor), messages: hub.since(channel, cursor) };
}

/** The gap as the persistent transports send it: `{"channel","from","to"}`. */
export function gapBody(channel: string, gap: Gap): { channel: string; from: number; to: number } {
  return { channel, from: gap.from, to: gap.to };
}
