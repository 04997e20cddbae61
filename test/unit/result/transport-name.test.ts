/** Transport names: a base and its variants, as the CLI, scenarios, results and gates read them. */
import { describe, expect, it } from 'vitest';
import { baseTransport, hasVariant, TRANSPORT_NAME, transportNameParts } from '../../../src/result/transport-name.js';

describe('transport names', () => {
  it.each(['ws', 'short-poll', 'sse+h2', 'short-poll+h2', 'ws+deflate', 'long-poll+h2+gzip', 'a1+b-2'])('accepts %s', (name) => {
    expect(TRANSPORT_NAME.test(name)).toBe(true);
  });

  it.each(['', 'Ws', 'sse+', '+h2', 'sse++h2', 'sse.h2', 'sse h2', 'sse-', 'sse+-h2', 'sse+H2'])('refuses %j', (name) => {
    expect(TRANSPORT_NAME.test(name)).toBe(false);
  });

  it('splits a name into its base and variants', () => {
    expect(transportNameParts('long-poll+h2+gzip')).toEqual({ base: 'long-poll', variants: ['h2', 'gzip'] });
    expect(transportNameParts('ws')).toEqual({ base: 'ws', variants: [] });
    expect(baseTransport('sse+h2')).toBe('sse');
    expect(hasVariant('short-poll+h2', 'h2')).toBe(true);
    expect(hasVariant('short-poll', 'h2')).toBe(false);
  });
});
