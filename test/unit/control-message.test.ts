import { describe, expect, it } from 'vitest';
import { parseControlMessage, refusedUnder } from '../../src/servers/control-message.js';

describe('parseControlMessage', () => {
  it('reads subscribe with and without a cursor, and unsubscribe', () => {
    expect(parseControlMessage('{"op":"subscribe","channel":"news"}')).toEqual({
      ok: true,
      message: { op: 'subscribe', channel: 'news', cursor: undefined },
    });
    expect(parseControlMessage('{"op":"subscribe","channel":"news","cursor":7}')).toEqual({
      ok: true,
      message: { op: 'subscribe', channel: 'news', cursor: 7 },
    });
    // A cursor may come as a string of digits, as in a query string.
    expect(parseControlMessage('{"op":"subscribe","channel":"a","cursor":"12"}')).toMatchObject({ message: { cursor: 12 } });
    expect(parseControlMessage('{"op":"unsubscribe","channel":"news"}')).toEqual({
      ok: true,
      message: { op: 'unsubscribe', channel: 'news' },
    });
  });

  it('hands publish fields on unchecked, with the id to answer with', () => {
    const fields = { op: 'publish', channel: 'news', event: 'e', data: [1], id: 'x', token: 't' };
    expect(parseControlMessage(JSON.stringify(fields))).toEqual({ ok: true, message: { op: 'publish', fields, id: 'x' } });
  });

  const refusals: [string, string, string, string, number][] = [
    ['not json', 'not-json', 'message is not valid JSON', 'RTB_ERR_BAD_JSON', 1007],
    ['[1,2]', 'not-an-object', 'message must be a JSON object with an op', 'RTB_ERR_BAD_REQUEST', 1008],
    ['null', 'not-an-object', 'message must be a JSON object with an op', 'RTB_ERR_BAD_REQUEST', 1008],
    ['{"op":"dance"}', 'unknown-op', 'unknown op "dance"', 'RTB_ERR_BAD_REQUEST', 1008],
    ['{"channel":"news"}', 'unknown-op', 'unknown op undefined', 'RTB_ERR_BAD_REQUEST', 1008],
    ['{"op":"subscribe"}', 'bad-field', 'channel is required', 'RTB_ERR_BAD_REQUEST', 1008],
    [
      '{"op":"unsubscribe","channel":"a b"}',
      'bad-field',
      'invalid channel name "a b": use 1-128 of A-Z a-z 0-9 _ . : ~ -',
      'RTB_ERR_BAD_REQUEST',
      1008,
    ],
    ['{"op":"subscribe","channel":"a","cursor":-1}', 'bad-field', 'cursor must be an integer >= 0, got -1', 'RTB_ERR_BAD_REQUEST', 1008],
    [
      '{"op":"subscribe","channel":"a","cursor":null}',
      'bad-field',
      'cursor must be an integer >= 0, got null',
      'RTB_ERR_BAD_REQUEST',
      1008,
    ],
  ];
  it.each(refusals)('refuses %s as %s', (text, fault, message, code, closeCode) => {
    const parsed = parseControlMessage(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.fault).toBe(fault);
    expect([parsed.error.message, parsed.error.code, parsed.error.closeCode]).toEqual([message, code, closeCode]);
  });
});

describe('refusedUnder', () => {
  it('refuses every fault without --echo, only bad fields of a known op with it', () => {
    for (const fault of ['not-json', 'not-an-object', 'unknown-op', 'bad-field'] as const) {
      expect(refusedUnder(false, fault)).toBe(true);
      expect(refusedUnder(true, fault)).toBe(fault === 'bad-field');
    }
  });
});
