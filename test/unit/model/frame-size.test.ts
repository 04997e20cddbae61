/** Frame sizes against RFC 6455 section 5.2, and against the bytes real framers produce. */
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { clientFrame, OPCODE } from '../../../src/clients/ws-frames.js';
import { DRAFT_FRAMING_BYTES, framingBytes, rfc6455HeaderBytes } from '../../../src/model/frame-size.js';

/** ws's framer; @types/ws does not declare it, so its one static method is typed here. */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[] };
};

const BOUNDARIES: [number, number][] = [
  [0, 2],
  [1, 2],
  [125, 2],
  [126, 4],
  [65_535, 4],
  [65_536, 10],
  [2 ** 32, 10],
];

describe('RFC 6455 frame header sizes', () => {
  it.each(BOUNDARIES)('a server frame of %i payload bytes has a %i-byte header', (length, header) => {
    expect(rfc6455HeaderBytes(length)).toBe(header);
    expect(framingBytes(length, 'rfc6455')).toBe(header);
  });

  it.each(BOUNDARIES)('a client frame of %i payload bytes adds a 4-byte mask to %i', (length, header) => {
    expect(rfc6455HeaderBytes(length, true)).toBe(header + 4);
    expect(framingBytes(length, 'rfc6455', true)).toBe(header + 4);
  });

  it('agrees with the frames the ws library builds, masked and not', () => {
    for (const length of [0, 125, 126, 65_535, 65_536]) {
      for (const mask of [false, true]) {
        const parts = Sender.frame(Buffer.alloc(length), { fin: true, rsv1: false, opcode: 1, mask, readOnly: false });
        const wire = parts.reduce((sum, part) => sum + part.length, 0);
        expect(wire - length, `${length} bytes, mask ${mask}`).toBe(rfc6455HeaderBytes(length, mask));
      }
    }
  });

  it("agrees with rtbench's own load client framing", () => {
    for (const length of [0, 125, 126, 65_535, 65_536]) {
      expect(clientFrame(OPCODE.text, Buffer.alloc(length)).length - length).toBe(rfc6455HeaderBytes(length, true));
    }
  });

  it('refuses a negative or fractional length', () => {
    expect(() => rfc6455HeaderBytes(-1)).toThrow(RangeError);
    expect(() => rfc6455HeaderBytes(1.5)).toThrow(RangeError);
  });
});

describe('draft framing', () => {
  it('is 0x00 ... 0xFF: 2 bytes whatever the length, mask or not', () => {
    expect(DRAFT_FRAMING_BYTES).toBe(2);
    for (const length of [0, 125, 126, 65_536]) {
      expect(framingBytes(length, 'draft')).toBe(2);
      expect(framingBytes(length, 'draft', true)).toBe(2);
    }
  });
});
