/**
 * HTTP/2 bytes from first principles, for the byte tests of the `+h2`
 * variants: frame sizes (RFC 9113: a 9-byte header before every payload;
 * the 24-byte connection preface) and HPACK header blocks (RFC 7541).
 *
 * The HPACK block sizes follow the encoder's representation rules: an
 * exact match in the static or dynamic table is one index; otherwise a
 * literal, with the name as an index when the table has it, added to the
 * dynamic table unless it is one of the fields nghttp2 (Node's encoder)
 * never indexes (:path, content-length, etag, if-none-match, ...); a string
 * is Huffman-coded when that is strictly shorter. The static table and the
 * Huffman code lengths come from hpack.js, a well-kept implementation of
 * the RFC; the rest is the RFC's integer and string encoding.
 */
import hpack from 'hpack.js';

const NOT_INDEXED = new Set([':path', 'age', 'content-length', 'etag', 'if-modified-since', 'if-none-match', 'location', 'set-cookie']);

export const PREFACE_BYTES = 24;
export const FRAME_HEADER_BYTES = 9;
/** A SETTINGS frame with `count` settings; Node sends its defaults, which are the protocol's, so none. */
export const settingsFrame = (count = 0) => FRAME_HEADER_BYTES + 6 * count;
export const SETTINGS_ACK = FRAME_HEADER_BYTES;

const STATIC = hpack['static-table'].table;
const HUFFMAN_BITS = hpack.huffman.encode.map(([bits]) => bits);

/** An integer with an N-bit prefix (RFC 7541 section 5.1): bytes used. */
export function integerBytes(value: number, prefixBits: number): number {
  const max = 2 ** prefixBits - 1;
  if (value < max) return 1;
  let bytes = 1;
  for (let rest = value - max; ; rest = Math.floor(rest / 128)) {
    bytes++;
    if (rest < 128) return bytes;
  }
}

/** A string literal (section 5.2): Huffman when strictly shorter. */
export function stringBytes(text: string): number {
  const raw = Buffer.from(text, 'latin1');
  const huffman = Math.ceil(raw.reduce((bits, byte) => bits + HUFFMAN_BITS[byte]!, 0) / 8);
  const length = Math.min(raw.length, huffman);
  return integerBytes(length, 7) + length;
}

/** One side's HPACK encoder state (each direction of a connection has its own dynamic table). */
export class HpackModel {
  /** Newest first, as the dynamic table is indexed (62 = newest). */
  readonly #dynamic: { name: string; value: string; size: number }[] = [];
  #size = 0;

  constructor(readonly maxSize = 4096) {}

  /** Bytes of the header block for these fields, updating the dynamic table as the encoder does. */
  block(fields: [string, string][]): number {
    return fields.reduce((total, [name, value]) => total + this.#field(name, value), 0);
  }

  #field(name: string, value: string): number {
    const exact = this.#find((entry) => entry.name === name && entry.value === value);
    if (exact) return integerBytes(exact, 7);
    const nameIndex = this.#find((entry) => entry.name === name) ?? 0;
    const indexing = !NOT_INDEXED.has(name);
    const bytes = integerBytes(nameIndex, indexing ? 6 : 4) + (nameIndex === 0 ? stringBytes(name) : 0) + stringBytes(value);
    if (indexing) this.#add(name, value);
    return bytes;
  }

  /** The index of the first match: static table first (1-61), then the dynamic table (62 on). */
  #find(match: (entry: { name: string; value: string }) => boolean): number | undefined {
    const inStatic = STATIC.findIndex(match);
    if (inStatic !== -1) return inStatic + 1;
    const inDynamic = this.#dynamic.findIndex(match);
    return inDynamic === -1 ? undefined : STATIC.length + 1 + inDynamic;
  }

  #add(name: string, value: string): void {
    const size = Buffer.byteLength(name) + Buffer.byteLength(value) + 32;
    this.#dynamic.unshift({ name, value, size });
    this.#size += size;
    while (this.#size > this.maxSize) this.#size -= this.#dynamic.pop()!.size;
  }
}
