import { describe, expect, it } from 'vitest';
import { describeValue, encodeData, MAX_DATA_DEPTH, nestsDeeperThan } from '../../src/servers/encode.js';
import { RequestError } from '../../src/servers/errors.js';

/** `[[[...]]]` nested `depth` levels, built without recursion (JSON.parse reads it iteratively). */
const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan([], 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
  });

  it('finds the deepest branch among wide siblings', () => {
    const value = { wide: Array.from({ length: 1000 }, (_, i) => i), deep: nested(10) };
    expect(nestsDeeperThan(value, 10)).toBe(true);
    expect(nestsDeeperThan(value, 11)).toBe(false);
  });

  it('measures 200,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(200_000), MAX_DATA_DEPTH)).toBe(true);
  });

  it('counts a Buffer as the two levels of its JSON', () => {
    expect(nestsDeeperThan([Buffer.from('ab')], 2)).toBe(true);
    expect(nestsDeeperThan([Buffer.from('ab')], 3)).toBe(false);
  });
});

describe('encodeData', () => {
  it('encodes data as JSON text, undefined as null', () => {
    expect(encodeData({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(encodeData(undefined)).toBe('null');
    expect(encodeData(nested(MAX_DATA_DEPTH))).toBe('['.repeat(MAX_DATA_DEPTH) + ']'.repeat(MAX_DATA_DEPTH));
  });

  it('refuses data nested deeper than the limit with 400 RTB_ERR_DATA_TOO_DEEP', () => {
    for (const depth of [MAX_DATA_DEPTH + 1, 200_000]) {
      const error = (() => {
        try {
          encodeData(nested(depth));
        } catch (caught) {
          return caught;
        }
      })() as RequestError;
      expect(error).toBeInstanceOf(RequestError);
      expect([error.status, error.closeCode, error.code]).toEqual([400, 1008, 'RTB_ERR_DATA_TOO_DEEP']);
    }
  });

  it('refuses what JSON cannot encode with RTB_ERR_DATA_UNENCODABLE', () => {
    expect(() => encodeData({ n: 10n })).toThrow(expect.objectContaining({ code: 'RTB_ERR_DATA_UNENCODABLE', status: 400 }));
  });
});

describe('describeValue', () => {
  it('shows scalars and names structures without stringifying them', () => {
    expect(describeValue('-1')).toBe('"-1"');
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(nested(200_000))).toBe('an array');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue('x'.repeat(100))).toBe(JSON.stringify('x'.repeat(64)));
  });
});
