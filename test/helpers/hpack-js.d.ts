/** The parts of hpack.js (no types of its own) that the HTTP/2 byte tests read: the RFC 7541 static table and Huffman code. */
declare module 'hpack.js' {
  const hpack: {
    'static-table': { table: { name: string; value: string }[] };
    /** encode[byte] = [code length in bits, code]. */
    huffman: { encode: [number, number][] };
  };
  export default hpack;
}
