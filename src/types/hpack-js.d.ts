/**
 * The parts of hpack.js (no types of its own) rtbench uses: the encoder (the
 * HTTP/2 model, src/model/http2-model.ts) and the RFC 7541 static table and
 * Huffman code (the HTTP/2 byte tests).
 */
declare module 'hpack.js' {
  interface HeaderField {
    name: string;
    value: string;
    /** false: a literal that does not enter the dynamic table. */
    incremental?: boolean;
    huffman?: boolean;
  }
  interface Compressor {
    write(headers: HeaderField[]): void;
    read(): Buffer | null;
  }
  const hpack: {
    compressor: { create(options: { table: { size: number } }): Compressor };
    'static-table': { table: { name: string; value: string }[] };
    /** encode[byte] = [code length in bits, code]. */
    huffman: { encode: [number, number][] };
  };
  export default hpack;
}
