/**
 * Who may publish and who may subscribe where.
 *
 * Publishing needs the server secret (`--secret`), compared in constant
 * time. Subscribing is open to anyone for every channel except a private
 * one: a channel whose name starts with `private-` needs a subscription
 * token, the scheme Pusher uses for its private channels:
 *
 *   token = hex(HMAC-SHA256(secret, `${connectionId}:${channel}`))
 *
 * The application's own back end, which knows the secret and its users,
 * hands the token to a client it lets in; rtbench only checks it. The
 * connection id names the connection the token is for: the Engine.IO sid on
 * /engine.io/ and /socket.io/ (the server chooses it), and on /ws, /poll,
 * /long-poll and /sse a `client` id the client chooses and sends with its
 * subscription. Without a secret no token can be valid, so private channels
 * refuse every subscriber.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { CLOSE, RequestError } from './errors.js';

export const PRIVATE_PREFIX = 'private-';

/** No `:`, so `${connectionId}:${channel}` names one pair only. */
const CONNECTION_ID_PATTERN = /^[A-Za-z0-9_.~-]{1,128}$/;
const TOKEN_PATTERN = /^[0-9a-f]{64}$/i;

export function isPrivateChannel(channel: string): boolean {
  return channel.startsWith(PRIVATE_PREFIX);
}

/**
 * True when `given` is the secret. Both sides are hashed first so the
 * comparison takes the same time whatever their lengths and contents.
 */
export function secretMatches(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** The subscription token for `channel` on the connection `connectionId`. */
export function channelToken(secret: string, connectionId: string, channel: string): string {
  return createHmac('sha256', secret).update(`${connectionId}:${channel}`).digest('hex');
}

function forbidden(message: string): RequestError {
  return new RequestError(message, 403, CLOSE.policyViolation, 'RTB_ERR_FORBIDDEN');
}

/**
 * Throws 403 / close 1008 unless `channel` is public or one of `tokens` is
 * its token for `connectionId`. `tokens` is what the client sent: a string,
 * a list (several private channels on one request), or nothing.
 */
export function authorizeChannel(secret: string | undefined, connectionId: unknown, channel: string, tokens: unknown): void {
  if (!isPrivateChannel(channel)) return;
  if (secret === undefined) {
    throw forbidden(`private channel ${channel} needs a server secret (--secret), and this server has none`);
  }
  if (typeof connectionId !== 'string' || !CONNECTION_ID_PATTERN.test(connectionId)) {
    throw forbidden(`private channel ${channel} needs a client id: 1-128 of A-Z a-z 0-9 _ . ~ -`);
  }
  const expected = Buffer.from(channelToken(secret, connectionId, channel), 'hex');
  const candidates = Array.isArray(tokens) ? tokens : [tokens];
  let valid = false;
  for (const token of candidates) {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) continue;
    // Every candidate is compared, also after a match: the time does not tell which one matched.
    if (timingSafeEqual(Buffer.from(token, 'hex'), expected)) valid = true;
  }
  if (!valid) throw forbidden(`private channel ${channel} needs a valid subscription token`);
}

/**
 * The private-channel check for an HTTP subscription (`/poll`, `/long-poll`,
 * `/sse`): the connection id is the `client` parameter, the tokens are the
 * `token` parameter (comma-separated or repeated, one per private channel,
 * in any order).
 */
export function authorizeQuery(secret: string | undefined, query: URLSearchParams, channels: Iterable<string>): void {
  let tokens: string[] | undefined;
  for (const channel of channels) {
    if (!isPrivateChannel(channel)) continue;
    tokens ??= query
      .getAll('token')
      .flatMap((value) => value.split(','))
      .slice(0, 64);
    authorizeChannel(secret, query.get('client') ?? undefined, channel, tokens);
  }
}
