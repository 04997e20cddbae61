/**
 * The run as one self-contained HTML page: no scripts, no external assets,
 * charts drawn as inline SVG. Charts: bandwidth at the talk's scale,
 * bytes per update split into overhead and payload, latency percentiles,
 * and (when the result has a timeline) connections and throughput over time.
 */
import { TALK_MODEL } from '../model/bandwidth-model.js';
import { measuredVsModel } from '../model/measured-vs-model.js';
import { barChart } from './charts/bar-chart.js';
import { groupedBarChart } from './charts/grouped-bar-chart.js';
import { lineChart } from './charts/line-chart.js';
import { stackedBarChart } from './charts/stacked-bar-chart.js';
import {
  CAPACITY_HEADER,
  CAPACITY_STEP_HEADER,
  capacityChartSvg,
  capacityRows,
  capacityStepRows,
  POLL_CEILING_HEADER,
  pollCeilingRows,
} from './capacity-table.js';
import { esc, MODEL_COLOR, transportColor } from './charts/svg.js';
import { formatBitrate, formatNumber } from './format.js';
import { gateRows, gateSummary, GATE_HEADER } from './gate-rows.js';
import { measuredTableText, modelTableText, type TextTable } from './model-tables.js';
import { EVENT_HEADER, eventRows, eventsLeftOut, FAULT_HEADER, faultRows, statusLine } from './run-status.js';
import type { RunResult } from '../result/schema.js';
import { runHeadline, transportNotes, transportRows, TRANSPORT_HEADER } from './transport-table.js';
import { TODAY_CLIENTS, todayBars, todayTableText } from './wire-today.js';

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta, .note { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 8px 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e5e5e5; text-align: right; white-space: nowrap; }
th.text, td.text { text-align: left; }
th { background: #f5f5f7; }
td.pass { color: #1a7f37; font-weight: 600; } td.fail { color: #cf222e; font-weight: 600; }
figure { margin: 12px 0 24px; } figcaption { color: #555; font-size: 0.85rem; max-width: 760px; }
svg.chart { max-width: 100%; height: auto; display: block; }
.scroll { overflow-x: auto; }
ul.notes { color: #9a6700; font-size: 0.9rem; }
p.status { color: #fff; background: #cf222e; padding: 8px 12px; font-weight: 600; border-radius: 4px; }
`;

/** `leftColumns`: how many leading columns hold text rather than numbers. */
function htmlTable(header: string[], rows: string[][], leftColumns = 1, rowClass?: (index: number) => string[]): string {
  const cls = (classes: string[]) => (classes.length ? ` class="${classes.join(' ')}"` : '');
  const head = `<tr>${header.map((cell, column) => `<th${cls(column < leftColumns ? ['text'] : [])}>${esc(cell)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row, index) => {
      const extra = rowClass?.(index) ?? [];
      return `<tr>${row.map((cell, column) => `<td${cls([...(column < leftColumns ? ['text'] : []), ...(extra[column] ? [extra[column]!] : [])])}>${esc(cell)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  // Wide tables scroll on their own instead of widening the page.
  return `<div class="scroll"><table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

function textTableHtml(table: TextTable): string {
  return `<p>${esc(table.title)}</p>\n${htmlTable(table.header, table.rows)}\n${table.notes.map((note) => `<p class="note">${esc(note)}</p>`).join('\n')}`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** Measured wire bytes per update, scaled to the talk's 100,000 clients at one update per second. */
function bandwidthChart(result: RunResult): string {
  const clients = TALK_MODEL.clients[TALK_MODEL.clients.length - 1]!;
  const { model } = measuredVsModel(result);
  const names = Object.keys(result.transports);
  const bars = names.map((name, index) => {
    const t = result.transports[name]!;
    const bits = t.bytes.per_update * clients * 8;
    return t.updates.delivered > 0
      ? { label: name, value: bits, color: transportColor(name, index) }
      : { label: name, value: 0, color: transportColor(name, index), text: 'nothing delivered' };
  });
  bars.push(
    { label: `model: polling (${model.polling_bytes_per_update} B)`, value: model.rows.at(-1)!.polling.bits_per_s, color: MODEL_COLOR },
    {
      label: `model: WebSocket (${model.websocket_bytes_per_update} B)`,
      value: model.rows.at(-1)!.websocket.bits_per_s,
      color: MODEL_COLOR,
    },
  );
  return figure(
    barChart({
      id: 'bandwidth',
      title: `Bandwidth at ${formatNumber(clients)} clients, 1 update/s each`,
      bars,
      format: formatBitrate,
      axisLabel: 'bit/s (SI)',
    }),
    `Each transport's measured wire bytes per update (payload included) x ${formatNumber(clients)} clients x 1 update/s x 8; the grey bars are the talk's model (headers or framing only, no payload).`,
  );
}

/** The talk's figures, today's model and the run's transports at the talk's scale (wire-today.ts). */
function todaySection(result: RunResult): string {
  const chart = barChart({
    id: 'wire-today',
    title: `The 871 bytes today: Mbps at ${formatNumber(TODAY_CLIENTS)} clients, 1 update/s each`,
    bars: todayBars(result),
    format: (value) => formatNumber(value, 1),
    axisLabel: 'Mbps (2^20 bit/s)',
  });
  const caption = "Grey: the talk's 2009 figures and the model of today's wire; coloured: what this run measured (payload included).";
  return `${textTableHtml(todayTableText(result))}\n${figure(chart, caption)}`;
}

function bytesChart(result: RunResult): string {
  const bars = Object.entries(result.transports).map(([name, t]) => ({
    label: name,
    // Under compression the wire can carry fewer bytes than the payload it delivers (overhead < 0): all of it is then payload.
    segments:
      t.updates.delivered > 0
        ? [Math.max(0, t.bytes.overhead_per_update), t.bytes.per_update - Math.max(0, t.bytes.overhead_per_update)]
        : [0, 0],
  }));
  return figure(
    stackedBarChart({
      id: 'bytes-per-update',
      title: 'Wire bytes per delivered update',
      series: [
        { name: 'headers / framing / polls', color: '#D55E00' },
        { name: 'payload', color: '#0072B2' },
      ],
      bars,
      format: (value) => `${formatNumber(value, 1)} B`,
      axisLabel: 'bytes per update (steady phase, down + up)',
    }),
    'Overhead is every wire byte that is not payload: HTTP heads, chunk lines, event-stream fields, frame headers, empty polls. A compressed transport (ws+deflate, +gzip) whose wire is smaller than its payload shows its wire bytes as payload.',
  );
}

function latencyChart(result: RunResult): string {
  const series = [
    { name: 'p50', color: '#56B4E9' },
    { name: 'p90', color: '#009E73' },
    { name: 'p99', color: '#E69F00' },
    { name: 'p99.9', color: '#D55E00' },
    { name: 'max', color: '#7F7F7F' },
  ];
  const groups = Object.entries(result.transports).map(([name, t]) => ({
    label: name,
    values:
      t.updates.delivered > 0
        ? [t.latency_us.p50, t.latency_us.p90, t.latency_us.p99, t.latency_us.p999, t.latency_us.max].map((us) => us / 1000)
        : series.map(() => null),
  }));
  const method = Object.values(result.transports).some((t) => t.latency_us.method === 'echo-rtt')
    ? 'round-trip time'
    : 'scheduled publish time to receipt';
  return figure(
    groupedBarChart({
      id: 'latency',
      title: 'Delivery latency percentiles',
      series,
      groups,
      format: (ms) => (ms >= 1000 ? `${formatNumber(ms / 1000, 1)} s` : `${formatNumber(ms, 3)} ms`),
      axisLabel: 'latency (log scale)',
    }),
    `Latency is ${method}, so a stalled publisher or server shows up (no coordinated omission).`,
  );
}

function timelineCharts(result: RunResult): string {
  const timeline = result.timeline ?? [];
  if (timeline.length === 0) return '<p class="note">This result has no timeline.</p>';
  const names = [...new Set(timeline.map((point) => point.transport))];
  const series = (pick: 'open' | 'delivered_per_s') =>
    names.map((name, index) => ({
      name,
      color: transportColor(name, index),
      points: timeline.filter((point) => point.transport === name).map((point): [number, number] => [point.t_s, point[pick]]),
    }));
  return [
    figure(
      lineChart({
        id: 'connections',
        title: 'Open connections over the run',
        series: series('open'),
        xLabel: "seconds since the transport's start",
        yLabel: 'open clients',
        formatY: (v) => formatNumber(v),
      }),
      'Clients connected and subscribed, per transport (each transport runs on its own, from its own t = 0).',
    ),
    figure(
      lineChart({
        id: 'throughput',
        title: 'Updates delivered per second',
        series: series('delivered_per_s'),
        xLabel: "seconds since the transport's start",
        yLabel: 'updates/s',
        formatY: (v) => formatNumber(v),
      }),
      'Deliveries per second across all clients of the transport.',
    ),
  ].join('\n');
}

function capacitySection(result: RunResult): string {
  const chart = capacityChartSvg(result);
  if (!result.capacity) return '';
  return [
    '<h2>Capacity</h2>',
    htmlTable(CAPACITY_HEADER, capacityRows(result)),
    htmlTable(CAPACITY_STEP_HEADER, capacityStepRows(result)),
    pollCeilingRows(result).length > 0 ? htmlTable(POLL_CEILING_HEADER, pollCeilingRows(result)) : '',
    chart
      ? figure(
          chart,
          'p99 delivery latency at each client count tried; the search stops at the first step over the limit (or with a failed connection, a lost update, or a missed schedule).',
        )
      : '',
  ].join('\n');
}

function statusHtml(result: RunResult): string {
  const line = statusLine(result);
  return line ? `<p class="status">${esc(line)}</p>` : '';
}

function eventsHtml(result: RunResult): string {
  const parts: string[] = [];
  if (result.faults?.length) parts.push('<h2>Faults</h2>', htmlTable(FAULT_HEADER, faultRows(result), 1));
  if (result.events?.length) {
    parts.push('<h2>Events</h2>', htmlTable(EVENT_HEADER, eventRows(result)));
    const more = eventsLeftOut(result);
    if (more > 0) parts.push(`<p class="note">... and ${more} more in the JSON result.</p>`);
  }
  return parts.join('\n');
}

function gatesSection(result: RunResult): string {
  if (result.gates.length === 0) return '<p class="note">No gates were set.</p>';
  const rows = gateRows(result.gates);
  return `<p>${esc(gateSummary(result.gates))}.</p>\n${htmlTable(
    GATE_HEADER,
    rows.map((row) => row.cells),
    3,
    (index) => [rows[index]!.pass ? 'pass' : 'fail'],
  )}`;
}

export function renderHtml(result: RunResult): string {
  const { model, measured } = measuredVsModel(result);
  const notes = transportNotes(result);
  const title = `rtbench run: ${result.scenario}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">${esc(runHeadline(result))}</p>
${statusHtml(result)}
<h2>Transports</h2>
${htmlTable(TRANSPORT_HEADER, transportRows(result))}
${notes.length ? `<ul class="notes">${notes.map((note) => `<li>${esc(note)}</li>`).join('')}</ul>` : ''}
${capacitySection(result)}
<h2>The 871 bytes today</h2>
${todaySection(result)}
<h2>Bandwidth at the talk's scale</h2>
${bandwidthChart(result)}
<h2>Bytes per update</h2>
${bytesChart(result)}
<h2>Latency</h2>
${latencyChart(result)}
<h2>Over the run</h2>
${timelineCharts(result)}
<h2>Model vs measured</h2>
${textTableHtml(modelTableText(model))}
${textTableHtml(measuredTableText(model, measured))}
${eventsHtml(result)}
<h2>Gates</h2>
${gatesSection(result)}
</main>
</body>
</html>
`;
}
