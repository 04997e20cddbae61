/**
 * The HTML report of the fixture in a real browser (Debian's Chromium,
 * headless): it loads without console errors, every chart is there and has
 * something drawn in it, and a screenshot goes to reports/ for a human.
 * Without Chromium this fails and says so; RTBENCH_SKIP_BROWSER=1 skips it.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { applyGates } from '../../src/gates/evaluate.js';
import { renderHtml } from '../../src/report/html.js';
import { smokeRun } from '../helpers/run-fixture.js';

const CHROMIUM = process.env.RTBENCH_CHROMIUM ?? '/usr/bin/chromium';
const REPORTS = fileURLToPath(new URL('../../reports/', import.meta.url));

const file = path.join(tmpdir(), `rtbench-report-${process.pid}.html`);
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await rm(file, { force: true });
});

describe.skipIf(process.env.RTBENCH_SKIP_BROWSER === '1')('HTML report in Chromium', () => {
  it('renders every chart without a console error', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium), point RTBENCH_CHROMIUM at it, or set RTBENCH_SKIP_BROWSER=1 to skip this test`,
      );
    }
    const run = smokeRun();
    run.gates = applyGates(run, ['lost==0', 'ws.latency: p(99)<4ms']);
    const html = renderHtml(run);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|src="http|href="http/);
    await writeFile(file, html);

    browser = await chromium.launch({ executablePath: CHROMIUM });
    const page = await browser.newPage({ viewport: { width: 1150, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    expect(await page.title()).toBe('rtbench run: smoke');
    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        id: svg.getAttribute('data-chart'),
        bars: svg.querySelectorAll('rect.bar').length,
        lines: [...svg.querySelectorAll('path.line')].map((p) => p.getAttribute('d') ?? ''),
        width: svg.getBoundingClientRect().width,
        height: svg.getBoundingClientRect().height,
      })),
    );
    expect(charts.map((chart) => chart.id)).toEqual([
      'wire-today',
      'bandwidth',
      'bytes-per-update',
      'latency',
      'connections',
      'throughput',
    ]);
    for (const chart of charts) {
      expect(chart.width, chart.id!).toBeGreaterThan(300);
      expect(chart.height, chart.id!).toBeGreaterThan(100);
    }
    const byId = Object.fromEntries(charts.map((chart) => [chart.id, chart]));
    // The talk's two rows and the model's four, then the five transports.
    expect(byId['wire-today']!.bars).toBe(11);
    // Five transports plus the model's two reference bars.
    expect(byId.bandwidth!.bars).toBe(7);
    // Overhead and payload for each of the five transports.
    expect(byId['bytes-per-update']!.bars).toBe(10);
    // p50, p90, p99, p99.9 and max for each transport.
    expect(byId.latency!.bars).toBe(25);
    for (const id of ['connections', 'throughput']) {
      expect(byId[id]!.lines, id).toHaveLength(5);
      for (const d of byId[id]!.lines) expect(d, id).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    }
    // Bars really have extent on screen, not just elements.
    const drawn = await page.$$eval(
      'rect.bar',
      (rects) => rects.filter((r) => r.getBoundingClientRect().width > 0 && r.getBoundingClientRect().height > 0).length,
    );
    expect(drawn).toBe(11 + 7 + 10 + 25);
    expect(await page.locator('td.fail').count()).toBe(1);

    await mkdir(REPORTS, { recursive: true });
    await page.screenshot({ path: path.join(REPORTS, 'report-smoke.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'))).toEqual([]);
  });
});
