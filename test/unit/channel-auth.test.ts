/**
 * channel-auth.ts: the private-channel token (HMAC-SHA256 of
 * `connectionId:channel`, hex) against a value computed with OpenSSL, the
 * refusals and their codes, and the constant-time secret comparison.
 */
import { describe, expect, it } from 'vitest';
import { authorizeChannel, authorizeQuery, channelToken, secretMatches } from '../../src/servers/channel-auth.js';
import type { RequestError } from '../../src/servers/errors.js';

const SECRET = 'key';
// printf 'c1:private-news' | openssl dgst -sha256 -hmac key
const C1_NEWS = '79c7c955afea030bf6cdcb3419c9759162b694c22f4997fc02a633906d21e673';

function refusal(run: () => void): { status: number; closeCode: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    const e = error as RequestError;
    return { status: e.status, closeCode: e.closeCode, code: e.code, message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('channel tokens', () => {
  it('are hex HMAC-SHA256 of connectionId:channel with the secret', () => {
    const token = channelToken(SECRET, 'c1', 'private-news');
    expect(token).toBe(C1_NEWS);
    // Any change of id, channel or secret gives another.
    expect(channelToken(SECRET, 'c2', 'private-news')).not.toBe(token);
    expect(channelToken(SECRET, 'c1', 'private-other')).not.toBe(token);
    expect(channelToken('other', 'c1', 'private-news')).not.toBe(token);
  });

  it('let a public channel through without anything', () => {
    expect(() => authorizeChannel(SECRET, undefined, 'news', undefined)).not.toThrow();
    expect(() => authorizeChannel(undefined, undefined, 'news', undefined)).not.toThrow();
  });

  it('let a private channel through with its token, in either case, alone or among others', () => {
    const token = channelToken(SECRET, 'c1', 'private-news');
    expect(() => authorizeChannel(SECRET, 'c1', 'private-news', token)).not.toThrow();
    expect(() => authorizeChannel(SECRET, 'c1', 'private-news', token.toUpperCase())).not.toThrow();
    expect(() => authorizeChannel(SECRET, 'c1', 'private-news', ['x', 7, token])).not.toThrow();
  });

  it.each([
    ['no token', 'c1', undefined, 'private channel private-news needs a valid subscription token'],
    [
      'a token for another id',
      'c1',
      channelToken(SECRET, 'c2', 'private-news'),
      'private channel private-news needs a valid subscription token',
    ],
    [
      'a token cut short',
      'c1',
      channelToken(SECRET, 'c1', 'private-news').slice(2),
      'private channel private-news needs a valid subscription token',
    ],
    ['a token that is not a string', 'c1', { token: 1 }, 'private channel private-news needs a valid subscription token'],
    ['no client id', undefined, undefined, 'private channel private-news needs a client id: 1-128 of A-Z a-z 0-9 _ . ~ -'],
    ['a client id with a colon', 'a:b', undefined, 'private channel private-news needs a client id: 1-128 of A-Z a-z 0-9 _ . ~ -'],
    ['a client id that is not a string', 42, undefined, 'private channel private-news needs a client id: 1-128 of A-Z a-z 0-9 _ . ~ -'],
  ])('refuse %s with 403, close 1008, RTB_ERR_FORBIDDEN', (_name, id, tokens, message) => {
    expect(refusal(() => authorizeChannel(SECRET, id, 'private-news', tokens))).toEqual({
      status: 403,
      closeCode: 1008,
      code: 'RTB_ERR_FORBIDDEN',
      message,
    });
  });

  it('refuse every private channel when the server has no secret', () => {
    expect(refusal(() => authorizeChannel(undefined, 'c1', 'private-news', channelToken('', 'c1', 'private-news'))).message).toBe(
      'private channel private-news needs a server secret (--secret), and this server has none',
    );
  });

  it('read client and token (comma-separated or repeated) from a query', () => {
    const a = channelToken(SECRET, 'web', 'private-a');
    const b = channelToken(SECRET, 'web', 'private-b');
    const channels = ['public', 'private-a', 'private-b'];
    expect(() => authorizeQuery(SECRET, new URLSearchParams(`client=web&token=${b},${a}`), channels)).not.toThrow();
    expect(() => authorizeQuery(SECRET, new URLSearchParams(`client=web&token=${a}&token=${b}`), channels)).not.toThrow();
    expect(() => authorizeQuery(SECRET, new URLSearchParams(`client=web&token=${a}`), channels)).toThrow(/private-b/);
    expect(() => authorizeQuery(SECRET, new URLSearchParams(''), ['public'])).not.toThrow();
  });
});

describe('secretMatches', () => {
  it.each([
    ['s3cret', true],
    ['s3cre', false],
    ['s3crett', false],
    ['S3cret', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (given, expected) => {
    expect(secretMatches(given, 's3cret')).toBe(expected);
  });
});
