/**
 * "The 871 bytes today" table: the talk's and the model's rows always, with
 * exact figures for the fixture's minimal headers and 64-byte payload; one
 * measured row per transport the run delivered on, with its CPU per update;
 * the same rows in the Markdown report, the HTML chart and the CLI summary.
 */
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../../src/cli/run-summary.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { todayRows } from '../../../src/report/wire-today.js';
import { smokeRun } from '../../helpers/run-fixture.js';

describe('the 871 bytes today', () => {
  it('talk and model rows always, with exact bytes per update and Mbps at 100,000', () => {
    const rows = todayRows(smokeRun()).filter((row) => row.source !== 'measured');
    expect(rows.map((row) => [row.short, row.bytesPerUpdate, Number(row.mbps.toFixed(3))])).toEqual([
      ['2009 polling', 871, 664.52],
      ['2009 WebSocket', 2, 1.526],
      // 258 B of heads + the 141 B envelope in a {"cursor":10,"messages":[...]} body (27 B more).
      ['model HTTP/1.1 poll', 426, 325.012],
      ['model HTTP/2 poll', 258, 196.838],
      // 2 B of RFC 6455 header + the 141 B envelope.
      ['model WebSocket', 143, 109.1],
      ['model ws+deflate', 16, 12.207],
    ]);
  });

  it("a measured row per transport that delivered, with both sides' CPU per update", () => {
    const run = smokeRun((json) => {
      json.transports.sse.updates.delivered = 0;
    });
    const measured = todayRows(run).filter((row) => row.source === 'measured');
    expect(measured.map((row) => row.label)).toEqual(['short-poll', 'long-poll', 'fallback', 'ws']);
    expect(measured.at(-1)).toMatchObject({ bytesPerUpdate: 143, serverCpuUs: 151.52, clientCpuUs: 173.05 });
  });

  it('appears in the Markdown, the HTML (with its chart) and the run summary', () => {
    const run = smokeRun();
    expect(renderMarkdown(run)).toMatch(/### The 871 bytes today[\s\S]*\| ws \| measured \| 143 \| 109\.1 \| 151\.5 \| 173\.1 \|/);
    const html = renderHtml(run);
    expect(html).toContain('<h2>The 871 bytes today</h2>');
    expect(html).toContain('data-chart="wire-today"');
    expect(formatSummary(run)).toMatch(/The 871 bytes today[\s\S]*WebSocket \+ permessage-deflate \(context takeover\) +model +16 +12\.21/);
  });

  it('a compressed transport whose wire is smaller than its payload draws no negative bar', () => {
    const run = smokeRun((json) => {
      json.transports.ws.bytes.per_update = 19.35;
      json.transports.ws.bytes.overhead_per_update = -115.65;
    });
    const html = renderHtml(run);
    expect(html).not.toMatch(/width="-/);
    expect(todayRows(run).at(-1)).toMatchObject({ label: 'ws', bytesPerUpdate: 19.35 });
  });
});
