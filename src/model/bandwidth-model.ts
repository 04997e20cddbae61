/**
 * The analytic comparison: what one update per client costs on the wire
 * when every client polls for it, against when it is pushed in a WebSocket
 * frame. Pure arithmetic, no I/O; the defaults are the talk's assumptions.
 *
 * Polling is modelled as one request/response exchange per update (the
 * client polls at the update rate and every poll finds one update), so each
 * update costs the request and response headers plus its payload. WebSocket
 * costs one server-to-client frame per update: framing plus payload.
 */
import { framingBytes, type Framing } from './frame-size.js';
import { talkRow, TALK_FRAMING_BYTES, TALK_HEADER_BYTES } from './talk-table.js';

export interface ModelOptions {
  /** Client counts, one row each. */
  clients: number[];
  /** Updates per second each client receives. */
  rate: number;
  /** HTTP request + response header bytes of one poll. */
  headerBytes: number;
  /** Payload bytes of one update (the talk counted none). */
  payloadBytes: number;
  framing: Framing;
}

export const TALK_MODEL: Readonly<ModelOptions> = Object.freeze({
  clients: [1_000, 10_000, 100_000],
  rate: 1,
  headerBytes: TALK_HEADER_BYTES,
  payloadBytes: 0,
  framing: 'draft',
});

/** One bandwidth in the three units the tables use. */
export interface Bandwidth {
  bits_per_s: number;
  /** bits/s / 2^20: the unit of the talk's table. */
  mbps_binary: number;
  /** bits/s / 10^6. */
  mbps_si: number;
}

export interface ModelRow {
  clients: number;
  polling: Bandwidth;
  websocket: Bandwidth;
  /** How many times more polling costs. */
  ratio: number;
  /** The talk's published figures for this row, when the options are the talk's. */
  talk?: { polling_mbps: number; websocket_mbps: number };
}

export interface ModelTable {
  options: ModelOptions;
  polling_bytes_per_update: number;
  websocket_bytes_per_update: number;
  /** Of which framing (the rest is payload). */
  websocket_framing_bytes: number;
  rows: ModelRow[];
}

export function bandwidth(bytesPerUpdate: number, clients: number, rate: number): Bandwidth {
  const bits = bytesPerUpdate * clients * rate * 8;
  return { bits_per_s: bits, mbps_binary: bits / 2 ** 20, mbps_si: bits / 1e6 };
}

export function modelTable(overrides: Partial<ModelOptions> = {}): ModelTable {
  const options: ModelOptions = { ...TALK_MODEL, clients: [...TALK_MODEL.clients], ...overrides };
  checkOptions(options);
  const framing = framingBytes(options.payloadBytes, options.framing);
  const polling = options.headerBytes + options.payloadBytes;
  const websocket = framing + options.payloadBytes;
  // The published figures only describe the talk's own assumptions.
  const isTalk = options.rate === 1 && polling === TALK_HEADER_BYTES && websocket === TALK_FRAMING_BYTES;
  const rows = options.clients.map((clients): ModelRow => {
    const row: ModelRow = {
      clients,
      polling: bandwidth(polling, clients, options.rate),
      websocket: bandwidth(websocket, clients, options.rate),
      ratio: polling / websocket,
    };
    const published = isTalk ? talkRow(clients) : undefined;
    if (published) row.talk = { polling_mbps: published.polling_mbps, websocket_mbps: published.websocket_mbps };
    return row;
  });
  return {
    options,
    polling_bytes_per_update: polling,
    websocket_bytes_per_update: websocket,
    websocket_framing_bytes: framing,
    rows,
  };
}

function checkOptions(options: ModelOptions): void {
  if (options.clients.length === 0) throw new RangeError('the model needs at least one client count');
  for (const clients of options.clients) {
    if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`client counts must be whole numbers >= 1, got ${clients}`);
  }
  if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new RangeError(`rate must be > 0, got ${options.rate}`);
  for (const [name, value] of [
    ['headerBytes', options.headerBytes],
    ['payloadBytes', options.payloadBytes],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${value}`);
  }
}
