/**
 * The checks app.ts runs on a plain HTTP request before its route sees it:
 * the page's origin (`--allowed-origins`, origins.ts) and the tokens of
 * private channels on the subscribing GETs (channel-auth.ts). Each answers
 * the refusal itself and returns true when it refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeQuery } from './channel-auth.js';
import { queryOf, sendError, sendJson } from './http-util.js';
import { originAllowed, originRefusal } from './origins.js';

/** The transports whose plain HTTP requests are checked for their origin (every WebSocket upgrade is). */
const ORIGIN_CHECKED = new Set(['sse', 'fallback']);
/** The transports that subscribe with `channel=` in the query. */
const QUERY_SUBSCRIBERS = new Set(['short-poll', 'long-poll', 'sse']);

/** 403 for a request from a page whose origin is not allowed. */
export function refuseForeignOrigin(
  req: IncomingMessage,
  res: ServerResponse,
  transport: string,
  allowed: readonly string[] | undefined,
): boolean {
  if (!ORIGIN_CHECKED.has(transport) || originAllowed(req.headers.origin, allowed)) return false;
  req.resume();
  sendJson(res, 403, originRefusal(transport, req.headers.origin));
  return true;
}

/** 403 for a poll or SSE request that names a private channel without its token. */
export function refusePrivateChannels(req: IncomingMessage, res: ServerResponse, transport: string, secret: string | undefined): boolean {
  if (!QUERY_SUBSCRIBERS.has(transport)) return false;
  // The common case costs a substring search: no private channel can be
  // named without `private` in the URL, unless percent-encoded.
  const url = req.url ?? '';
  if (!url.includes('private') && !url.includes('%')) return false;
  const query = queryOf(url);
  // Only the names are needed here; the route validates them.
  const channels = query
    .getAll('channel')
    .flatMap((value) => value.split(','))
    .slice(0, 1024);
  try {
    authorizeQuery(secret, query, channels);
    return false;
  } catch (error) {
    req.resume();
    sendError(res, error);
    return true;
  }
}
