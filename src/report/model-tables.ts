/**
 * The model's tables as header + rows of text, for the `model` command and
 * the reports: the talk's comparison first, then the same table computed
 * from what a run measured. Mbps means 2^20 bit/s, the talk's unit, unless
 * marked SI.
 */
import type { ModelTable } from '../model/bandwidth-model.js';
import type { MeasuredRow } from '../model/measured-vs-model.js';
import { formatNumber, formatSignificant } from './format.js';

export interface TextTable {
  title: string;
  header: string[];
  rows: string[][];
  notes: string[];
}

export function modelTableText(model: ModelTable): TextTable {
  const { options } = model;
  const talk = model.rows.some((row) => row.talk);
  const header = [
    'clients',
    'polling bit/s',
    'polling Mbps',
    ...(talk ? ['talk'] : []),
    'polling Mbps (SI)',
    'WebSocket bit/s',
    'WebSocket Mbps',
    ...(talk ? ['talk'] : []),
    'WebSocket Mbps (SI)',
    'polling/WebSocket',
  ];
  const rows = model.rows.map((row) => [
    formatNumber(row.clients),
    formatNumber(row.polling.bits_per_s),
    formatSignificant(row.polling.mbps_binary),
    ...(talk ? [row.talk ? String(row.talk.polling_mbps) : ''] : []),
    formatSignificant(row.polling.mbps_si),
    formatNumber(row.websocket.bits_per_s),
    formatSignificant(row.websocket.mbps_binary),
    ...(talk ? [row.talk ? String(row.talk.websocket_mbps) : ''] : []),
    formatSignificant(row.websocket.mbps_si),
    `${formatSignificant(row.ratio)}x`,
  ]);
  const framing =
    options.framing === 'draft'
      ? `${model.websocket_framing_bytes} B of draft framing (0x00 ... 0xFF)`
      : `a ${model.websocket_framing_bytes} B RFC 6455 frame header`;
  const title =
    `Model: polling costs ${formatNumber(options.headerBytes)} B of headers per update, WebSocket ${framing}; ` +
    `${formatNumber(options.rate, 3)} update/s per client, ${formatNumber(options.payloadBytes)} B payload.`;
  const notes = ["Mbps = bit/s / 2^20 (the talk's unit); SI = bit/s / 10^6."];
  if (talk) notes.push('talk = the figures as the talk printed them (rounded by hand).');
  return { title, header, rows, notes };
}

export function measuredTableText(model: ModelTable, measured: MeasuredRow[]): TextTable {
  const counts = model.options.clients;
  const largest = counts[counts.length - 1]!;
  const header = [
    'transport',
    'model B',
    'overhead B',
    'vs model',
    'wire B/update',
    ...counts.map((c) => `Mbps @ ${formatNumber(c)}`),
    `wire Mbps @ ${formatNumber(largest)}`,
  ];
  const rows = measured.map((row) => {
    const none = row.delivered === 0;
    const cell = (value: string) => (none ? '-' : value);
    return [
      row.transport,
      row.model_overhead_per_update === null ? '-' : formatNumber(row.model_overhead_per_update, 2),
      cell(formatNumber(row.measured_overhead_per_update, 2)),
      row.overhead_vs_model === null ? '-' : `${formatSignificant(row.overhead_vs_model, 3)}x`,
      cell(formatNumber(row.measured_per_update, 2)),
      ...row.at_scale.map((s) => cell(formatSignificant(s.overhead.mbps_binary))),
      cell(formatSignificant(row.at_scale[row.at_scale.length - 1]!.wire.mbps_binary)),
    ];
  });
  return {
    title: `Measured: the same table from each transport's measured bytes per update, at ${formatNumber(model.options.rate, 3)} update/s per client.`,
    header,
    rows,
    notes: [
      'model B = headers (polling) or framing (WebSocket) per update as the model counts them; overhead B = measured wire bytes per update minus payload.',
      `Mbps columns count the overhead only, as the talk did; wire Mbps counts every byte, payload included.`,
    ],
  };
}
