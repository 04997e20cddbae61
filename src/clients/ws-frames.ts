/**
 * RFC 6455 framing for the lean WebSocket client: building masked client
 * frames and reading the server's unmasked frames. Pure functions, so the
 * exact framing overhead can be tested without a socket.
 */
import { rfc6455HeaderBytes } from '../model/frame-size.js';
import { takeRandom } from './random-pool.js';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** One final, masked client frame; the mask key is random unless given. */
export function clientFrame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  const length = payload.length;
  const headerSize = rfc6455HeaderBytes(length, true);
  const frame = Buffer.allocUnsafe(headerSize + length);
  frame[0] = 0x80 | opcode;
  let offset = 2;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length <= 0xffff) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
    offset = 4;
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
    offset = 10;
  }
  if (mask) mask.copy(frame, offset, 0, 4);
  else takeRandom(frame, offset, 4);
  const key = offset;
  offset += 4;
  for (let i = 0; i < length; i++) frame[offset + i] = payload[i]! ^ frame[key + (i & 3)]!;
  return frame;
}

export interface Frame {
  fin: boolean;
  /** RSV1: under permessage-deflate, set on the first frame of a compressed message (RFC 7692 6). */
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/**
 * Reads whole frames from a byte stream. Server frames are unmasked; a masked
 * one is unmasked anyway so the reader also works on client traffic.
 */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);

  push(data: Buffer, onFrame: (frame: Frame) => void): void {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 2) return;
      const masked = (buffer[1]! & 0x80) !== 0;
      let length = buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      let payload = buffer.subarray(offset, offset + length);
      if (masked) {
        payload = Buffer.from(payload);
        for (let i = 0; i < length; i++) payload[i] = payload[i]! ^ buffer[maskOffset + (i & 3)]!;
      }
      this.#buffer = buffer.subarray(offset + length);
      onFrame({ fin: (buffer[0]! & 0x80) !== 0, rsv1: (buffer[0]! & 0x40) !== 0, opcode: buffer[0]! & 0x0f, payload });
    }
  }
}
