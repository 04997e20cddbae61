/** The HPACK size model of the HTTP/2 byte tests, held to the RFC 7541 examples (Appendix C.4: requests with Huffman coding). */
import { describe, expect, it } from 'vitest';
import { HpackModel, integerBytes } from '../helpers/h2-wire.js';

describe('HPACK size model', () => {
  it('encodes integers with an N-bit prefix as RFC 7541 C.1 does', () => {
    expect(integerBytes(10, 5)).toBe(1);
    expect(integerBytes(1337, 5)).toBe(3);
    expect(integerBytes(42, 8)).toBe(1);
    expect(integerBytes(30, 5)).toBe(1);
    expect(integerBytes(31, 5)).toBe(2);
  });

  it('gives the sizes of the three requests of C.4, sharing one dynamic table', () => {
    const model = new HpackModel();
    const base: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ];
    expect(model.block(base)).toBe(17);
    expect(model.block([...base, ['cache-control', 'no-cache']])).toBe(12);
    expect(
      model.block([
        [':method', 'GET'],
        [':scheme', 'https'],
        [':path', '/index.html'],
        [':authority', 'www.example.com'],
        ['custom-key', 'custom-value'],
      ]),
    ).toBe(24);
  });
});
