/**
 * The model's tables for today's wire, beside the talk's: polling headers
 * under HTTP/2 (HPACK) and WebSocket updates under permessage-deflate, as
 * text tables for `rtbench model` and the reports. Mbps = bit/s / 2^20.
 */
import { bandwidth } from '../model/bandwidth-model.js';
import { type DeflateRow, STEADY_UPDATE } from '../model/deflate-model.js';
import { LATER_POLL, type Http2PollRow } from '../model/http2-model.js';
import { formatNumber, formatSignificant } from './format.js';
import type { TextTable } from './model-tables.js';

const mbps = (bytes: number, clients: number, rate: number) => formatSignificant(bandwidth(bytes, clients, rate).mbps_binary);

export function http2TableText(rows: Http2PollRow[], clients: number, rate: number): TextTable {
  const header = [
    'header profile',
    'HTTP/1.1 heads B',
    'HTTP/2 first poll B (req + resp blocks)',
    'HTTP/2 later polls B (req + resp blocks)',
    'HTTP/1.1 / HTTP/2',
    `HTTP/1.1 Mbps at ${formatNumber(clients)}`,
    `HTTP/2 Mbps at ${formatNumber(clients)}`,
  ];
  const body = rows.map((row) => [
    row.profile,
    formatNumber(row.http1),
    `${row.first.total} (${row.first.request} + ${row.first.response})`,
    `${row.later.total} (${row.later.request} + ${row.later.response})`,
    `${formatSignificant(row.ratio, 3)}x`,
    mbps(row.http1, clients, rate),
    mbps(row.later.total, clients, rate),
  ]);
  return {
    title: `Model: one poll's headers, HTTP/1.1 text against HTTP/2 with HPACK (RFC 7541), ${formatNumber(rate, 3)} poll/s per client.`,
    header,
    rows: body,
    notes: [
      'HTTP/2 B = 9 + request block + 9 + response block + 9 (DATA frame header); blocks from hpack.js, one encoder per direction (static + dynamic table, Huffman).',
      `"later" = poll ${LATER_POLL} on the same connection: constant fields are one-byte indexes, :path, content-length, etag (not indexed) and date are literals.`,
      'HTTP/1.1 B = request head + response head as rtbench writes them, CRLFs included (the talk counted 871 B without line endings).',
    ],
  };
}

export function deflateTableText(rows: DeflateRow[], clients: number, rate: number): TextTable {
  const header = [
    'data',
    'payload B',
    'envelope B',
    'plain frame B',
    'deflate, context takeover B',
    'deflate, no context takeover B',
    `plain Mbps at ${formatNumber(clients)}`,
    `takeover Mbps at ${formatNumber(clients)}`,
  ];
  const body = rows.map((row) => [
    row.data === 'repeated' ? 'repeated (x...x, as the publisher)' : 'random letters',
    formatNumber(row.payloadBytes),
    formatNumber(row.envelope),
    formatNumber(row.plain),
    `${row.takeover.frame} (c = ${row.takeover.compressed})`,
    `${row.noTakeover.frame} (c = ${row.noTakeover.compressed})`,
    mbps(row.plain, clients, rate),
    mbps(row.takeover.frame, clients, rate),
  ]);
  return {
    title: `Model: one WebSocket update with permessage-deflate (RFC 7692), ${formatNumber(rate, 3)} update/s per client.`,
    header,
    rows: body,
    notes: [
      'bytes per update = h(c) + c, c = |deflate(envelope)| - 4 (raw DEFLATE to a sync flush, its 00 00 ff ff tail stripped), h(c) = 2 (c < 126), 4 (c <= 65,535), 10.',
      `c from node:zlib (level 6, window 15) for update ${STEADY_UPDATE} of a channel; with context takeover the ${STEADY_UPDATE - 1} before it are in the window.`,
    ],
  };
}
