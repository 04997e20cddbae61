/**
 * Bytes of framing a WebSocket message costs, under the two framings the
 * comparison has to know: the 2010 draft (hixie-76) text frame, a 0x00 byte
 * before the UTF-8 payload and a 0xFF after it, which is where the talk's
 * "2 bytes per message" comes from; and RFC 6455 (section 5.2), which
 * everything speaks today.
 */
export const FRAMINGS = ['draft', 'rfc6455'] as const;
export type Framing = (typeof FRAMINGS)[number];

/** 0x00 ... 0xFF around every draft text frame, whatever its length. */
export const DRAFT_FRAMING_BYTES = 2;

/**
 * RFC 6455 frame header for a payload of `length` bytes: 2 bytes with the
 * length in the 7-bit field (< 126), 4 with a 16-bit extended length (up to
 * 65,535), 10 with a 64-bit one; a client-to-server frame carries a 4-byte
 * masking key on top.
 */
export function rfc6455HeaderBytes(length: number, masked = false): number {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`payload length must be a whole number >= 0, got ${length}`);
  const base = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
  return base + (masked ? 4 : 0);
}

/** Framing bytes of one message; `masked` only matters under RFC 6455. */
export function framingBytes(length: number, framing: Framing, masked = false): number {
  return framing === 'draft' ? DRAFT_FRAMING_BYTES : rfc6455HeaderBytes(length, masked);
}
