/**
 * The model for today's wire, with exact figures: HPACK header blocks
 * (anchored on RFC 7541's own examples), the HTTP/2 polling rows per header
 * profile, and the permessage-deflate rows (anchored on a real streamed
 * compressor with context takeover, as `ws` runs one).
 */
import { constants, createDeflateRaw } from 'node:zlib';
import hpack from 'hpack.js';
import { describe, expect, it } from 'vitest';
import { deflatedBytes, deflateModel, modelEnvelope } from '../../../src/model/deflate-model.js';
import { headerBlockBytes, http2Model } from '../../../src/model/http2-model.js';

describe('HPACK header blocks (hpack.js)', () => {
  it('matches RFC 7541 C.4.1 and C.4.2: requests with Huffman coding, the second mostly indexes', () => {
    const compressor = hpack.compressor.create({ table: { size: 4096 } });
    const first: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ];
    compressor.write(first.map(([name, value]) => ({ name, value })));
    expect(compressor.read()!.toString('hex')).toBe('828684418cf1e3c2e5f23a6ba0ab90f4ff');
    compressor.write([...first, ['cache-control', 'no-cache']].map(([name, value]) => ({ name, value })));
    expect(compressor.read()!.toString('hex')).toBe('828684be5886a8eb10649cbf');
  });

  it('counts a block through the same encoder the model uses', () => {
    const compressor = hpack.compressor.create({ table: { size: 4096 } });
    expect(headerBlockBytes(compressor, [[':method', 'GET']])).toBe(1);
    // :path is sent without indexing (name index 4, Huffman '/poll' = 4 bytes): 1 + 1 + 4.
    expect(headerBlockBytes(compressor, [[':path', '/poll']])).toBe(6);
    expect(headerBlockBytes(compressor, [[':path', '/poll']])).toBe(6);
  });
});

describe('HTTP/2 polling rows', () => {
  it('per header profile: HTTP/1.1 heads, the first poll and every later one', () => {
    expect(http2Model(0).map((row) => [row.profile, row.http1, row.first, row.later])).toEqual([
      ['minimal', 260, { request: 36, response: 58, total: 121 }, { request: 25, response: 39, total: 91 }],
      ['browser', 1027, { request: 560, response: 58, total: 645 }, { request: 37, response: 39, total: 103 }],
      ['talk', 910, { request: 426, response: 58, total: 511 }, { request: 32, response: 39, total: 98 }],
    ]);
  });

  it('the payload changes only the content-length digits', () => {
    const [minimal] = http2Model(1000, ['minimal']);
    expect(minimal!.http1).toBe(261);
    expect(minimal!.later.total).toBeGreaterThanOrEqual(91);
    expect(minimal!.later.total).toBeLessThanOrEqual(92);
  });
});

describe('permessage-deflate rows', () => {
  it('context takeover is what a streamed compressor sends for the 10th update', async () => {
    for (const data of ['repeated', 'random'] as const) {
      const stream = createDeflateRaw({ windowBits: 15 });
      let last = 0;
      for (let k = 1; k <= 10; k++) {
        const chunks: Buffer[] = [];
        const collect = (chunk: Buffer) => chunks.push(chunk);
        stream.on('data', collect);
        stream.write(modelEnvelope(k, 100, data));
        await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()));
        stream.off('data', collect);
        last = Buffer.concat(chunks).length - 4;
      }
      stream.close();
      const previous = Array.from({ length: 9 }, (_, i) => modelEnvelope(i + 1, 100, data)).join('');
      expect(deflatedBytes(modelEnvelope(10, 100, data), previous)).toBe(last);
    }
  });

  it('exact rows at 0, 100 and 1,000 bytes of payload', () => {
    const rows = [0, 100, 1000].flatMap((payload) =>
      deflateModel(payload).map((r) => [r.data, r.envelope, r.plain, r.takeover.frame, r.noTakeover.frame]),
    );
    expect(rows).toEqual([
      ['repeated', 75, 77, 16, 72],
      ['random', 75, 77, 16, 72],
      ['repeated', 175, 179, 16, 76],
      ['random', 175, 179, 118, 166],
      ['repeated', 1075, 1079, 25, 80],
      ['random', 1075, 1079, 801, 847],
    ]);
  });
});
