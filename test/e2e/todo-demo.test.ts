/**
 * The two-window todo demo (`rtbench serve --demo`) in headless Chromium:
 * an item created, edited and deleted in page A shows in page B within a
 * second, over WebSocket, the Engine.IO fallback and long polling; with
 * --no-websocket the `auto` client falls back and still syncs; after the
 * server is killed and started again with the same --data file, both pages
 * reconnect by themselves and still show every todo. Assertions read the
 * pages' DOM (item text, version, the connection panel).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/server.js';
import { launchChromium, SKIP_BROWSER, watchProblems } from './chromium.js';

// The callbacks given to waitForFunction and $$eval run in the page; this
// suite compiles with Node's types only, so the page's globals are untyped here.
declare const document: any;

/** The bound: a change in one window shows in the other within a second. */
const SYNC_MS = 1000;

let browser: Browser;
let dir: string;
const servers: CliServer[] = [];
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  dir = await mkdtemp(path.join(tmpdir(), 'rtbench-demo-'));
  browser = await launchChromium();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});
afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type CliServer = Awaited<ReturnType<typeof startCli>>;

async function serve(args: string[]): Promise<CliServer> {
  const server = await startCli(['--demo', ...args]);
  servers.push(server);
  return server;
}

/** Two windows on the same list and transport, each open on it, and what went wrong in them. */
async function twoWindows(url: string, list: string, transport: string) {
  context = await browser.newContext();
  const problems: string[][] = [];
  const pages: Page[] = [];
  for (const name of ['A', 'B']) {
    const page = await context.newPage();
    problems.push(watchProblems(page, name));
    await page.goto(`${url}/?list=${list}&transport=${transport}`);
    pages.push(page);
  }
  for (const page of pages) await waitForState(page, 'open');
  return { a: pages[0]!, b: pages[1]!, problems: () => problems.flat() };
}

function waitForState(page: Page, state: string, timeout = 10_000) {
  return page.waitForFunction((wanted) => document.getElementById('state')?.textContent === wanted, state, { timeout });
}

/** The items a page shows: text, version and done, in order. */
function itemsOf(page: Page) {
  return page.$$eval('li.item', (rows) =>
    rows.map((row) => ({
      text: row.querySelector('input.text').value,
      version: row.querySelector('.version')!.textContent,
      done: row.querySelector('input.done').checked,
    })),
  );
}

/** Waits (at most `timeout`) until page B shows exactly these item texts. */
function waitForTexts(page: Page, texts: string[], timeout = SYNC_MS) {
  return page.waitForFunction(
    (wanted) => JSON.stringify([...document.querySelectorAll('li.item input.text')].map((input: any) => input.value)) === wanted,
    JSON.stringify(texts),
    { timeout },
  );
}

async function addItem(page: Page, text: string): Promise<void> {
  await page.fill('#new-text', text);
  await page.press('#new-text', 'Enter');
}

/** Create, edit and delete in A; B must show each within SYNC_MS. */
async function createEditDelete(a: Page, b: Page, tag: string): Promise<void> {
  await addItem(a, `bread ${tag}`);
  await waitForTexts(b, [`bread ${tag}`]);
  expect(await itemsOf(b)).toEqual([{ text: `bread ${tag}`, version: 'v1', done: false }]);

  const field = a.locator('li.item input.text').first();
  await field.fill(`rye bread ${tag}`);
  await field.press('Enter');
  await waitForTexts(b, [`rye bread ${tag}`]);
  expect(await itemsOf(b)).toEqual([{ text: `rye bread ${tag}`, version: 'v2', done: false }]);

  await a.locator('li.item input.done').first().check();
  await b.waitForFunction(() => document.querySelector('li.item input.done')?.checked, null, { timeout: SYNC_MS });
  expect(await itemsOf(b)).toEqual([{ text: `rye bread ${tag}`, version: 'v3', done: true }]);

  await a.locator('li.item button.delete').first().click();
  await waitForTexts(b, []);
  expect(await b.isVisible('#empty')).toBe(true);
}

describe.skipIf(SKIP_BROWSER)('todo demo in two Chromium windows', () => {
  let url = '';
  let port = 0;
  let dataFile = '';

  beforeAll(async () => {
    dataFile = path.join(dir, 'todos.json');
    const server = await serve(['--data', dataFile]);
    url = server.url;
    port = server.port;
  });

  for (const transport of ['ws', 'fallback', 'long-poll'] as const) {
    it(`${transport}: create, edit and delete in A show in B within a second`, async () => {
      const { a, b, problems } = await twoWindows(url, `sync-${transport}`, transport);
      expect(await b.textContent('#transport-in-use')).toBe(transport);
      await createEditDelete(a, b, transport);
      // B's panel counted the four changes it applied, their bytes and their latency.
      await b.waitForFunction(() => Number(document.getElementById('updates')!.textContent) >= 4, null, { timeout: SYNC_MS });
      expect(Number((await b.textContent('#bytes'))!.replace(/,/g, ''))).toBeGreaterThan(0);
      expect(await b.textContent('#latency')).toMatch(/^\d+(\.\d)? ms$/);
      expect(problems()).toEqual([]);
    });
  }

  it('a stale edit loses to the later version, and the page says so', async () => {
    const { a, b } = await twoWindows(url, 'conflict', 'ws');
    await addItem(a, 'milk');
    await waitForTexts(b, ['milk']);
    // B starts typing from v1; A saves v2 meanwhile; B's save from v1 is refused.
    const fieldB = b.locator('li.item input.text').first();
    await fieldB.focus();
    const fieldA = a.locator('li.item input.text').first();
    await fieldA.fill('oat milk');
    await fieldA.press('Enter');
    await b.waitForFunction(() => document.querySelector('li.item .version')?.textContent === 'v2', null, { timeout: SYNC_MS });
    await fieldB.fill('soy milk');
    await fieldB.press('Enter');
    await b.waitForFunction(() => !document.getElementById('notice')!.hidden, null, { timeout: SYNC_MS });
    expect(await b.textContent('#notice')).toContain('version 2 wins');
    expect(await itemsOf(b)).toEqual([{ text: 'oat milk', version: 'v2', done: false }]);
    expect(await itemsOf(a)).toEqual([{ text: 'oat milk', version: 'v2', done: false }]);
  });

  it('a server killed and restarted with --data keeps the todos; both pages reconnect on their own', async () => {
    const { a, b } = await twoWindows(url, 'restart', 'auto');
    await addItem(a, 'eggs');
    await addItem(a, 'flour');
    await waitForTexts(b, ['eggs', 'flour']);
    const saved = JSON.parse(await readFile(dataFile, 'utf8'));
    expect(saved.lists.restart.items.map((item: { text: string }) => item.text)).toEqual(['eggs', 'flour']);

    const first = servers.find((server) => server.port === port)!;
    first.child.kill('SIGKILL');
    await first.stop();
    await waitForState(a, 'reconnecting');
    await waitForState(b, 'reconnecting');

    await serve(['--data', dataFile, '--port', String(port)]);
    // The client backs off at most 5 s between tries.
    await waitForState(a, 'open', 15_000);
    await waitForState(b, 'open', 15_000);
    await waitForTexts(a, ['eggs', 'flour'], 5000);
    await waitForTexts(b, ['eggs', 'flour'], 5000);
    expect(Number(await a.textContent('#reconnects'))).toBeGreaterThanOrEqual(1);
    expect(Number(await b.textContent('#reconnects'))).toBeGreaterThanOrEqual(1);

    // The new server's channel starts at seq 1 again: live changes still flow both ways.
    // (A window may still be on its way back from a first reconnect that met the refused cursor.)
    await addItem(b, 'sugar');
    await waitForTexts(a, ['eggs', 'flour', 'sugar'], 3000);
    await a.locator('li.item button.delete').first().click();
    await waitForTexts(b, ['flour', 'sugar'], 3000);
  });
});

describe.skipIf(SKIP_BROWSER)('todo demo behind a server that refuses WebSocket', () => {
  let url = '';
  beforeAll(async () => {
    url = (await serve(['--no-websocket'])).url;
  });

  it('auto falls back to the Engine.IO fallback and still syncs', async () => {
    const { a, b, problems } = await twoWindows(url, 'no-ws', 'auto');
    expect(await a.textContent('#transport-in-use')).toBe('fallback');
    expect(await b.textContent('#transport-in-use')).toBe('fallback');
    await createEditDelete(a, b, 'no-ws');
    // The refused upgrade is the only thing the browser complains about.
    expect(problems().filter((problem) => !/WebSocket connection to .*\/ws' failed/.test(problem))).toEqual([]);
  });
});
