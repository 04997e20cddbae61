/** The part of hpack.js (no types of its own) the HTTP/2 model uses. */
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
  const hpack: { compressor: { create(options: { table: { size: number } }): Compressor } };
  export default hpack;
}
