/**
 * `npm run screenshots`: the README's pictures of the todo demo and of the
 * --ui dashboard, taken in headless Chromium (Debian's, or RTBENCH_CHROMIUM)
 * from the built CLI, into docs/images/. Everything it starts it stops.
 *
 *   docs/images/demo.png       two windows of `rtbench serve --demo`, one on WebSocket, one on long polling
 *   docs/images/dashboard.png  `rtbench run --ui` during a short smoke run of three transports
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { startServerProcess } from '../dist/harness/server-process.js';

// The callbacks given to waitForFunction run in the page; this script compiles with Node's types only.
interface PageElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
}
declare const document: { getElementById(id: string): PageElement | null; querySelector(selector: string): PageElement | null };

const CHROMIUM = process.env.RTBENCH_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IMAGES = path.join(ROOT, 'docs', 'images');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

async function demoShot(browser: Browser): Promise<void> {
  const server = await startServerProcess(['--host', '127.0.0.1', '--demo']);
  try {
    const url = `http://127.0.0.1:${server.port}`;
    const call = (method: string, route: string, body: unknown) =>
      fetch(`${url}${route}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) =>
        r.json(),
      );
    for (const text of ['milk', 'bread', 'coffee beans']) await call('POST', '/api/lists/groceries/items', { text });
    await call('PUT', '/api/lists/groceries/items/1', { version: 1, text: 'oat milk' });
    await call('PUT', '/api/lists/groceries/items/2', { version: 1, done: true });

    // Two windows side by side: one page with a frame for each.
    const page = await browser.newPage({ viewport: { width: 1500, height: 560 } });
    const frame = (transport: string, label: string) =>
      `<figure><figcaption>${label}</figcaption><iframe src="${url}/?list=groceries&transport=${transport}"></iframe></figure>`;
    await page.setContent(`<style>body{margin:0;display:flex;gap:12px;padding:12px;background:#c8cfdb;font:14px system-ui}
      figure{margin:0;flex:1}figcaption{font-weight:600;margin-bottom:4px}iframe{width:100%;height:500px;border:1px solid #55607a;border-radius:6px;background:#fff}</style>
      ${frame('ws', 'Window A: WebSocket')}${frame('long-poll', 'Window B: long polling')}`);
    for (const child of page.frames().slice(1)) {
      await child.waitForFunction(() => document.getElementById('state')?.textContent === 'open');
    }
    // A change made now reaches both windows: their panels show bytes and latency.
    await call('POST', '/api/lists/groceries/items', { text: 'eggs' });
    await call('PUT', '/api/lists/groceries/items/3', { version: 1, text: 'coffee beans (decaf)' });
    for (const child of page.frames().slice(1)) {
      await child.waitForFunction(() => Number(document.getElementById('updates')?.textContent) >= 2);
    }
    await page.waitForTimeout(900); // the highlight of the last change fades
    await page.screenshot({ path: path.join(IMAGES, 'demo.png') });
    await page.close();
  } finally {
    await server.stop();
  }
}

async function dashboardShot(browser: Browser): Promise<void> {
  const out = await mkdtemp(path.join(tmpdir(), 'rtbench-shots-'));
  const args = ['run', 'smoke', '--transports', 'long-poll,sse,ws', '--clients', '200', '--duration', '4s', '--ui', '--ui-port', '0'];
  const run: ChildProcess = spawn(process.execPath, [CLI, ...args, '--out', out, '--report', 'none', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      run.stderr!.on('data', (chunk) => {
        stderr += chunk;
        const match = /live dashboard at (http:\/\/\S+\/)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      run.once('exit', (code) => reject(new Error(`the run exited (${code}) before its dashboard was up:\n${stderr}`)));
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1020 } });
    await page.goto(url);
    // The third transport well into its steady phase: every chart has its history.
    await page.waitForFunction(
      () => {
        const phase = document.querySelector('.transport[data-transport="ws"] .phase')?.textContent;
        return phase === 'steady' && Number(document.getElementById('chart-rate')?.dataset.points) > 0;
      },
      null,
      { timeout: 120_000 },
    );
    await page.waitForTimeout(2500);
    await page.screenshot({ path: path.join(IMAGES, 'dashboard.png') });
    await page.close();
    await once(run, 'exit');
  } finally {
    if (run.exitCode === null && run.signalCode === null) run.kill('SIGTERM');
    await rm(out, { recursive: true, force: true });
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM });
try {
  await demoShot(browser);
  await dashboardShot(browser);
  console.log(`screenshots written to ${path.relative(process.cwd(), IMAGES)}/demo.png and dashboard.png`);
} finally {
  await browser.close();
}
