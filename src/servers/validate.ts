/** Parsing and validation of the inputs every transport shares. */
import { describeValue } from './encode.js';
import { RequestError } from './errors.js';

const CHANNEL_PATTERN = /^[A-Za-z0-9_.:~-]{1,128}$/;

export function checkChannel(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new RequestError('channel is required');
  }
  if (!CHANNEL_PATTERN.test(value)) {
    throw new RequestError(`invalid channel name ${JSON.stringify(value.slice(0, 64))}: use 1-128 of A-Z a-z 0-9 _ . : ~ -`);
  }
  return value;
}

/** A cursor is the last seq the client has seen: an integer >= 0. */
export function checkCursor(value: unknown, field = 'cursor'): number {
  const number = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    // describeValue, not JSON.stringify: a cursor nested 100,000 arrays deep must not overflow the stack.
    throw new RequestError(`${field} must be an integer >= 0, got ${describeValue(value)}`);
  }
  return number;
}

/** A channel and the last seq the client has seen on it. */
export interface Subscription {
  channel: string;
  cursor: number;
}

/** More channels on one connection (or one poll / SSE request) than --max-subscriptions allows. */
export function tooManySubscriptions(limit: number): RequestError {
  return new RequestError(
    `at most ${limit} subscriptions per connection (--max-subscriptions)`,
    400,
    1008,
    'RTB_ERR_TOO_MANY_SUBSCRIPTIONS',
  );
}

/**
 * `channel=a,b` (or the parameter repeated) with `cursor=5,7` in the same
 * order. Every channel needs a cursor. At most `maxChannels` channels.
 */
export function parseSubscriptions(query: URLSearchParams, options: { cursorRequired: boolean; maxChannels: number }): Subscription[] {
  const channels = query.getAll('channel').flatMap((value) => value.split(','));
  if (channels.length === 0) throw new RequestError('channel is required');
  if (channels.length > options.maxChannels) throw tooManySubscriptions(options.maxChannels);
  const cursorValues = query.getAll('cursor').flatMap((value) => value.split(','));
  if (cursorValues.length === 0 && options.cursorRequired) {
    throw new RequestError('cursor is required: the last seq seen, 0 for none');
  }
  if (cursorValues.length > 0 && cursorValues.length !== channels.length) {
    throw new RequestError(`got ${channels.length} channels but ${cursorValues.length} cursors`);
  }
  const seen = new Set<string>();
  return channels.map((channel, index) => {
    checkChannel(channel);
    if (seen.has(channel)) throw new RequestError(`channel ${channel} listed twice`);
    seen.add(channel);
    return { channel, cursor: cursorValues.length > 0 ? checkCursor(cursorValues[index]) : 0 };
  });
}

export function checkTimeout(value: string | null, fallback: number): number {
  if (value === null) return fallback;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1 || Number(value) > 300_000) {
    throw new RequestError(`timeout must be 1..300000 ms, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}
