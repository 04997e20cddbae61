/**
 * The polling row of the talk's table under HTTP/2: what one poll's headers
 * cost when HPACK (RFC 7541) sends them, beside what they cost as HTTP/1.1
 * text, for each header profile rtbench polls with.
 *
 * Header blocks are encoded with hpack.js (a complete RFC 7541 encoder:
 * static and dynamic table, Huffman coding), one encoder per direction, as
 * one connection's polls go through it in order. The first poll fills the
 * dynamic table; every later one sends most fields as one-byte indexes and
 * only what changed (the cursor in :path, the date, the length and ETag) as
 * literals. Those changing fields are sent without indexing, as nghttp2
 * (Node's HTTP/2) sends :path, content-length and etag, so they do not push
 * the constant fields out of the 4,096-byte table. hpack.js Huffman-codes
 * every string, where nghttp2 takes the shorter of Huffman and raw, so a
 * run's measured blocks may differ from these by a byte or so per field.
 *
 * Bytes per poll, for HTTP/2: 9 (HEADERS frame) + request block, 9 + response
 * block, and 9 for the DATA frame header of the body; the connection preface,
 * SETTINGS and WINDOW_UPDATE frames are not per poll and are left out.
 */
import hpack from 'hpack.js';
import { HEADER_PROFILES, type HeaderProfileName, profileHeaders, requestHead } from '../clients/header-profiles.js';

/** Every HTTP/2 frame starts with 9 bytes: length, type, flags, stream id (RFC 9113 4.1). */
export const H2_FRAME_HEADER_BYTES = 9;
/** SETTINGS_HEADER_TABLE_SIZE's default (RFC 9113 6.5.2). */
export const HPACK_TABLE_BYTES = 4096;
/** The poll whose cost stands for "every later one": the table is warm and the cursor has grown a digit. */
export const LATER_POLL = 10;

const HOST = '127.0.0.1:8080';
/** Header fields HTTP/2 forbids (RFC 9113 8.2.2); Host becomes :authority. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);
/** Fields whose value changes with every poll: literals that do not enter the table. */
const NOT_INDEXED = new Set([':path', 'content-length', 'etag']);

export interface HeaderCost {
  /** Header block bytes, client to server. */
  request: number;
  /** Header block bytes, server to client. */
  response: number;
  /** Wire bytes of the poll besides its body: both blocks, two HEADERS frame headers and the DATA frame header. */
  total: number;
}

export interface Http2PollRow {
  profile: HeaderProfileName;
  /** HTTP/1.1: the request head and the response head as this server writes them, CRLFs included. */
  http1: number;
  /** The connection's first poll: the dynamic table is empty. */
  first: HeaderCost;
  /** The LATER_POLL-th poll on the same connection. */
  later: HeaderCost;
  /** http1 / later.total. */
  ratio: number;
}

/** The date and poll body of poll k (1-based): one poll a second, one update found per poll. */
function pollFacts(k: number, payloadBytes: number) {
  const date = new Date(Date.UTC(2026, 10, 26, 12, 0, k)).toUTCString();
  const envelope = JSON.stringify({
    channel: 'ch-1',
    seq: k,
    event: 'update',
    ts: 1764158400000.5 + k * 1000,
    data: 'x'.repeat(payloadBytes),
  });
  const body = `{"cursor":${k},"messages":[${envelope}]}`;
  return { date, path: `/poll?channel=ch-1&cursor=${k - 1}`, length: String(Buffer.byteLength(body)), etag: `"${k}"` };
}

function requestFields(profile: HeaderProfileName, path: string): [string, string][] {
  const fields: [string, string][] = [
    [':method', 'GET'],
    [':authority', HOST],
    [':scheme', 'http'],
    [':path', path],
  ];
  for (const [name, value] of profileHeaders(profile)) {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) fields.push([name.toLowerCase(), value]);
  }
  return fields;
}

function responseFields(facts: ReturnType<typeof pollFacts>): [string, string][] {
  return [
    [':status', '200'],
    ['content-type', 'application/json'],
    ['content-length', facts.length],
    ['cache-control', 'no-cache'],
    ['etag', facts.etag],
    ['date', facts.date],
  ];
}

/** Header block bytes of `fields` through `compressor` (which keeps its dynamic table for the next block). */
export function headerBlockBytes(compressor: ReturnType<typeof hpack.compressor.create>, fields: [string, string][]): number {
  compressor.write(fields.map(([name, value]) => ({ name, value, incremental: !NOT_INDEXED.has(name) })));
  return compressor.read()?.length ?? 0;
}

/** The HTTP/1.1 heads of the same poll, as the short-poll client and Node's server write them. */
export function http1HeadBytes(profile: HeaderProfileName, facts: ReturnType<typeof pollFacts>): number {
  const request = requestHead(facts.path, HOST, profile);
  const response =
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${facts.length}\r\ncache-control: no-cache\r\n` +
    `etag: ${facts.etag}\r\nDate: ${facts.date}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=65\r\n\r\n`;
  return Buffer.byteLength(request) + Buffer.byteLength(response);
}

export function http2PollRow(profile: HeaderProfileName, payloadBytes = 0): Http2PollRow {
  const toServer = hpack.compressor.create({ table: { size: HPACK_TABLE_BYTES } });
  const toClient = hpack.compressor.create({ table: { size: HPACK_TABLE_BYTES } });
  const costs: HeaderCost[] = [];
  for (let k = 1; k <= LATER_POLL; k++) {
    const facts = pollFacts(k, payloadBytes);
    const request = headerBlockBytes(toServer, requestFields(profile, facts.path));
    const response = headerBlockBytes(toClient, responseFields(facts));
    costs.push({ request, response, total: request + response + 3 * H2_FRAME_HEADER_BYTES });
  }
  const http1 = http1HeadBytes(profile, pollFacts(LATER_POLL, payloadBytes));
  const later = costs[LATER_POLL - 1]!;
  return { profile, http1, first: costs[0]!, later, ratio: http1 / later.total };
}

export function http2Model(payloadBytes = 0, profiles: readonly HeaderProfileName[] = HEADER_PROFILES): Http2PollRow[] {
  return profiles.map((profile) => http2PollRow(profile, payloadBytes));
}
