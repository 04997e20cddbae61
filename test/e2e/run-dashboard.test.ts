/**
 * `rtbench run --ui` in headless Chromium: during a short real run the page
 * shows the clients-open figure and its charts redraw at least twice before
 * the run ends; /metrics answers Prometheus text while it runs; at the end
 * the page shows the final report, and the run exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/server.js';
import { launchChromium, SKIP_BROWSER, watchProblems } from './chromium.js';

// The callbacks given to waitForFunction run in the page; this suite
// compiles with Node's types only, so the page's globals are untyped here.
declare const document: any;

let browser: Browser | undefined;
let run: ChildProcess | undefined;
let out: string | undefined;

afterAll(async () => {
  await browser?.close();
  if (run && run.exitCode === null && run.signalCode === null) {
    run.kill('SIGKILL');
    await once(run, 'exit');
  }
  if (out) await rm(out, { recursive: true, force: true });
});

/** Starts the run and resolves with the dashboard's address once it is printed. */
async function startRun(args: string[]): Promise<{ url: string; stderr: () => string }> {
  run = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  run.stdout!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard address within 20 s:\n${stderr}`)), 20_000);
    run!.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const match = /live dashboard at (http:\/\/\S+\/)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    run!.once('exit', (code) => reject(new Error(`run exited (${code}) before printing its dashboard:\n${stderr}`)));
  });
  return { url, stderr: () => stderr };
}

describe.skipIf(SKIP_BROWSER)('rtbench run --ui', () => {
  it('shows clients open and redraws its charts during the run, then the final report', async () => {
    out = await mkdtemp(path.join(tmpdir(), 'rtbench-ui-'));
    browser = await launchChromium();
    const { url, stderr } = await startRun(
      ['smoke', '--transports', 'ws', '--clients', '40', '--duration', '3s', '--ui', '--ui-port', '0'].concat([
        '--out',
        out,
        '--report',
        'none',
      ]),
    );
    const exited = once(run!, 'exit');
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = watchProblems(page, 'dashboard');
    await page.goto(url);
    expect(await page.title()).toBe('rtbench run: smoke (live)');

    // While the run goes on: the charts redraw twice more after the page first drew them,
    // and the clients-open figure reaches every client.
    await page.waitForFunction(() => document.body.dataset.state === 'running', null, { timeout: 10_000 });
    const first = Number(await page.getAttribute('#chart-clients', 'data-updates'));
    const redrawn = await page.waitForFunction(
      (n) => {
        const chart = document.getElementById('chart-clients');
        return Number(chart.dataset.updates) >= n ? { state: document.body.dataset.state, points: Number(chart.dataset.points) } : false;
      },
      first + 2,
      { timeout: 30_000 },
    );
    const seen = (await redrawn.jsonValue()) as { state: string; points: number };
    expect(seen.state).toBe('running');
    expect(seen.points).toBeGreaterThanOrEqual(2);
    const open = await page.waitForFunction(
      () => document.getElementById('open-ws')?.textContent === '40 / 40' && document.body.dataset.state,
      null,
      { timeout: 30_000 },
    );
    expect(await open.jsonValue()).toBe('running');
    // uPlot drew on its canvas.
    expect(await page.locator('#chart-clients canvas').count()).toBeGreaterThan(0);

    // The same figures for a scraper, while the run is still on.
    const metrics = await fetch(`${url}metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^rtbench_run_clients_target\{transport="ws"\} 40$/m);

    // At the end: the final report, in the page, after the run's process has gone.
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 60_000 });
    const [code] = await exited;
    expect(code, stderr()).toBe(0);
    expect(await page.textContent('#run-state')).toBe('done: ok');
    const report = page.frameLocator('#report-frame');
    await expect.poll(() => report.locator('h1').first().textContent()).toContain('smoke');
    expect(await report.locator('svg.chart').count()).toBeGreaterThan(0);
    expect(await page.textContent('.transport[data-transport="ws"] .bytes')).toMatch(/^\d+(\.\d)?$/);
    expect(problems).toEqual([]);
  });
});
