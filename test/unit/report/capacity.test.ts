/** Capacity results reach every report: the console summary, Markdown, and HTML with its chart. */
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../../src/cli/run-summary.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { smokeRun } from '../../helpers/run-fixture.js';

const run = smokeRun((json) => {
  json.capacity = {
    ws: {
      slo_p99_ms: 1000,
      max_clients: 2000,
      clients_per_core: 1000,
      steps: [
        { clients: 1000, open: 1000, failed: 0, lost: 0, p99_ms: 12.5, achieved: 1000, intended: 1000, pass: true },
        { clients: 2000, open: 2000, failed: 0, lost: 0, p99_ms: 40, achieved: 2000, intended: 2000, pass: true },
        {
          clients: 5000,
          open: 4990,
          failed: 10,
          lost: 0,
          p99_ms: 1500,
          achieved: 4800,
          intended: 5000,
          pass: false,
          reason: '10 connections failed; p99 1500 ms over 1000 ms',
        },
      ],
    },
  };
});

describe('capacity in the reports', () => {
  it('Markdown has the answer per transport and every step with its verdict', () => {
    const markdown = renderMarkdown(run);
    expect(markdown).toContain(
      [
        '### Capacity',
        '',
        '| transport | max clients | clients/core | p99 limit ms |',
        '| --- | ---: | ---: | ---: |',
        '| ws | 2,000 | 1,000 | 1,000 |',
      ].join('\n'),
    );
    expect(markdown).toContain(
      '| ws | 5,000 | 4,990 | 10 | 0 | 1,500 | 4,800/5,000 | FAIL: 10 connections failed; p99 1500 ms over 1000 ms |',
    );
    expect(markdown).toContain('| ws | 1,000 | 1,000 | 0 | 0 | 12.5 | 1,000/1,000 | pass |');
  });

  it('HTML has the tables and a chart of p99 against clients with the limit drawn across', () => {
    const html = renderHtml(run);
    expect(html).toContain('<h2>Capacity</h2>');
    const svg = /<svg[^>]*data-chart="capacity"[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(svg).toContain('data-series="ws"');
    expect(svg).toContain('data-series="p99 limit 1,000 ms"');
  });

  it('the console summary is built from the same rows', () => {
    const summary = formatSummary(run);
    expect(summary).toMatch(/^transport +clients open\/target/);
    expect(summary).toContain('Capacity');
    expect(summary).toMatch(/ws +5,000 +4,990 +10 +0 +1,500 +4,800\/5,000 +FAIL: 10 connections failed/);
    expect(summary).toContain('- short-poll: saturated');
  });

  it('a run without capacity has no capacity section', () => {
    expect(renderMarkdown(smokeRun())).not.toContain('Capacity');
    expect(renderHtml(smokeRun())).not.toContain('<h2>Capacity</h2>');
  });
});
