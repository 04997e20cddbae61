/**
 * "The 871 bytes today": the talk's 2009 figures, the model of today's wire
 * (HTTP/1.1 and HTTP/2 polls with the run's header profile, WebSocket with
 * and without permessage-deflate at the run's payload) and every transport
 * the run measured, side by side in bytes per update, Mbps at the talk's
 * 100,000 clients and CPU per update on each side. The talk and model rows
 * are always there; a measured row only for a transport the run has.
 */
import { bandwidth } from '../model/bandwidth-model.js';
import { deflateRow } from '../model/deflate-model.js';
import { rfc6455HeaderBytes } from '../model/frame-size.js';
import { http2PollRow } from '../model/http2-model.js';
import { TALK_FRAMING_BYTES, TALK_HEADER_BYTES } from '../model/talk-table.js';
import { HEADER_PROFILES, type HeaderProfileName } from '../clients/header-profiles.js';
import type { RunResult } from '../result/schema.js';
import type { Bar } from './charts/bar-chart.js';
import { MODEL_COLOR, transportColor } from './charts/svg.js';
import { formatNumber, formatSignificant } from './format.js';
import type { TextTable } from './model-tables.js';

/** The talk's scale: 100,000 clients, one update a second each. */
export const TODAY_CLIENTS = 100_000;

export interface TodayRow {
  label: string;
  /** A few words for the chart's axis. */
  short: string;
  source: 'talk 2009' | 'model' | 'measured';
  bytesPerUpdate: number;
  mbps: number;
  serverCpuUs?: number;
  clientCpuUs?: number;
}

function modelRows(result: RunResult): TodayRow[] {
  const config = result.config as { headers?: string; payloadBytes?: number };
  const profile: HeaderProfileName = HEADER_PROFILES.includes(config.headers as HeaderProfileName)
    ? (config.headers as HeaderProfileName)
    : 'minimal';
  const payload = typeof config.payloadBytes === 'number' ? config.payloadBytes : 0;
  const http2 = http2PollRow(profile, payload);
  const deflate = deflateRow(payload, 'repeated');
  // The poll body wraps the envelope: {"cursor":N,"messages":[...]} adds about 27 bytes.
  const body = deflate.envelope + `{"cursor":10,"messages":[]}`.length;
  const row = (short: string, label: string, source: TodayRow['source'], bytes: number): TodayRow => ({
    label,
    short,
    source,
    bytesPerUpdate: bytes,
    mbps: bandwidth(bytes, TODAY_CLIENTS, 1).mbps_binary,
  });
  return [
    row('2009 polling', `polling, ${TALK_HEADER_BYTES} B of headers (no payload)`, 'talk 2009', TALK_HEADER_BYTES),
    row('2009 WebSocket', `WebSocket, ${TALK_FRAMING_BYTES} B of draft framing (no payload)`, 'talk 2009', TALK_FRAMING_BYTES),
    row('model HTTP/1.1 poll', `HTTP/1.1 poll, ${profile} headers`, 'model', http2.http1 + body),
    row('model HTTP/2 poll', `HTTP/2 poll (HPACK, later polls), ${profile} headers`, 'model', http2.later.total + body),
    row('model WebSocket', 'WebSocket (RFC 6455)', 'model', rfc6455HeaderBytes(deflate.envelope) + deflate.envelope),
    row('model ws+deflate', 'WebSocket + permessage-deflate (context takeover)', 'model', deflate.takeover.frame),
  ];
}

export function todayRows(result: RunResult): TodayRow[] {
  const measured = Object.entries(result.transports)
    .filter(([, t]) => t.updates.delivered > 0)
    .map(
      ([name, t]): TodayRow => ({
        label: name,
        short: name,
        source: 'measured',
        bytesPerUpdate: t.bytes.per_update,
        mbps: bandwidth(t.bytes.per_update, TODAY_CLIENTS, 1).mbps_binary,
        serverCpuUs: t.processes.server.cpu_us_per_update,
        clientCpuUs: t.processes.clients.cpu_us_per_update,
      }),
    );
  return [...modelRows(result), ...measured];
}

export function todayTableText(result: RunResult): TextTable {
  const cpu = (us: number | undefined) => (us === undefined ? '-' : formatNumber(us, 1));
  return {
    title: `The 871 bytes today: one update to each of ${formatNumber(TODAY_CLIENTS)} clients a second.`,
    header: ['row', 'source', 'B/update', `Mbps at ${formatNumber(TODAY_CLIENTS)}`, 'server CPU us/update', 'client CPU us/update'],
    rows: todayRows(result).map((row) => [
      row.label,
      row.source,
      formatNumber(row.bytesPerUpdate),
      formatSignificant(row.mbps),
      cpu(row.serverCpuUs),
      cpu(row.clientCpuUs),
    ]),
    notes: [
      "Mbps = B/update x 100,000 x 8 / 2^20 (the talk's unit). Model and measured rows include the payload (the envelope as delivered); the talk's rows count headers and framing only.",
      "Model rows use the run's header profile and payload (repeated data, as the publisher sends it: the best case for compression); `rtbench model` shows the formulas.",
      "CPU per update: the steady phase's CPU seconds of the server tree, and of the client processes, per delivered update (/proc, all threads, zlib's included).",
    ],
  };
}

/** The same rows as chart bars: Mbps at 100,000 clients, the talk and model in grey. */
export function todayBars(result: RunResult): Bar[] {
  return todayRows(result).map((row, index) => ({
    label: row.short,
    value: row.mbps,
    color: row.source === 'measured' ? transportColor(row.label, index) : MODEL_COLOR,
    text: `${formatSignificant(row.mbps)} (${formatNumber(row.bytesPerUpdate)} B)`,
  }));
}
