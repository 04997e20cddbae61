import { describe, expect, it } from 'vitest';
import { clientFrame, FrameReader, OPCODE, type Frame } from '../../src/clients/ws-frames.js';

describe('RFC 6455 framing', () => {
  it('builds a masked text frame byte for byte', () => {
    const frame = clientFrame(OPCODE.text, Buffer.from('Hello'), Buffer.from([0x37, 0xfa, 0x21, 0x3d]));
    // RFC 6455 section 5.7: a masked "Hello".
    expect([...frame]).toEqual([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  });

  it('takes each mask key fresh from the random pool, across its refills, and the payload unmasks', () => {
    // 8 KB of pool is 2,048 keys: 5,000 frames refill it twice.
    const keys = new Set<string>();
    const reader = new FrameReader();
    for (let i = 0; i < 5000; i++) {
      const frame = clientFrame(OPCODE.text, Buffer.from(`update ${i}`));
      keys.add(frame.subarray(2, 6).toString('hex'));
      reader.push(frame, (f) => expect(f.payload.toString()).toBe(`update ${i}`));
    }
    // 5,000 random 32-bit keys: a repeat is possible (p ~ 0.3 %), a pool handing out the same bytes is not.
    expect(keys.size).toBeGreaterThan(4990);
  });

  it('uses the 16- and 64-bit length forms at 126 and 65,536 bytes', () => {
    const medium = clientFrame(OPCODE.binary, Buffer.alloc(126));
    expect([medium[1]! & 0x7f, medium.readUInt16BE(2), medium.length]).toEqual([126, 126, 8 + 126]);
    const large = clientFrame(OPCODE.binary, Buffer.alloc(65_536));
    expect([large[1]! & 0x7f, Number(large.readBigUInt64BE(2)), large.length]).toEqual([127, 65_536, 14 + 65_536]);
  });

  it('reads frames split anywhere across chunks, and unmasks masked ones', () => {
    const unmasked = Buffer.concat([Buffer.from([0x81, 0x05]), Buffer.from('Hello'), Buffer.from([0x89, 0x00])]);
    const masked = clientFrame(OPCODE.text, Buffer.from('x'.repeat(300)));
    const stream = Buffer.concat([unmasked, masked]);
    for (let split = 1; split < stream.length; split += 37) {
      const frames: Frame[] = [];
      const reader = new FrameReader();
      reader.push(stream.subarray(0, split), (f) => frames.push(f));
      reader.push(stream.subarray(split), (f) => frames.push(f));
      expect(frames.map((f) => [f.opcode, f.payload.toString()])).toEqual([
        [OPCODE.text, 'Hello'],
        [OPCODE.ping, ''],
        [OPCODE.text, 'x'.repeat(300)],
      ]);
    }
  });
});
