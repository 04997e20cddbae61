/**
 * The browser client (/client.js) itself, in headless Chromium against
 * `rtbench serve --admin --history 5`: on each transport it publishes and
 * receives, resumes from its last seq after the server resets every
 * connection (nothing lost, nothing twice), reports a gap when it comes back
 * after the history moved on, and starts a channel again from now when the
 * server refuses its cursor. The page is a blank one of the server's origin
 * that imports the module, as an application would.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite, startCli } from '../helpers/server.js';
import { launchChromium, SKIP_BROWSER, watchProblems } from './chromium.js';

// The callbacks given to evaluate run in the page (the client lives on window.rtb).
declare const window: any;

const TRANSPORTS = ['ws', 'fallback', 'long-poll'] as const;

/** One client at a time (open() closes the one before); everything it hears in window.rtb.heard. */
const PAGE_HARNESS = `
import { RtbClient } from '/client.js';
window.rtb = {
  open(transport, channel, options = {}) {
    window.rtb.client?.close();
    const client = new RtbClient({ transport, connectTimeoutMs: 2000, ...options });
    const heard = { seqs: [], gaps: [], resets: [], opens: 0 };
    client.on('message', (envelope) => heard.seqs.push(envelope.seq));
    client.on('gap', (gap) => heard.gaps.push(gap));
    client.on('reset', ({ channel }) => heard.resets.push(channel));
    client.on('open', () => heard.opens++);
    client.subscribe(channel, options.cursor === undefined ? {} : { cursor: options.cursor });
    client.connect();
    window.rtb.client = client;
    window.rtb.heard = heard;
  },
};
`;

describe.skipIf(SKIP_BROWSER)('browser client in Chromium', () => {
  const server = serverForSuite(() => startCli(['--admin', '--history', '5']));
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    problems = watchProblems(page, 'page');
    await page.goto(`${server.url}/healthz`);
    // A small harness in the page, as a module of its own (vitest would rewrite an import() in a callback).
    await page.addScriptTag({ type: 'module', content: PAGE_HARNESS });
    await page.waitForFunction(() => window.rtb !== undefined);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const publish = async (channel: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const answer = await fetch(`${server.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, data: i }),
      });
      expect(answer.status).toBe(202);
    }
  };
  const heard = () =>
    page.evaluate(() => ({ ...window.rtb.heard, stats: window.rtb.client.stats, transport: window.rtb.client.transport }));
  const waitOpen = (opens = 1) => page.waitForFunction((n) => window.rtb.heard.opens >= n && window.rtb.client.state === 'open', opens);
  const waitSeqs = (count: number) => page.waitForFunction((n) => window.rtb.heard.seqs.length >= n, count, { timeout: 10_000 });

  for (const transport of TRANSPORTS) {
    it(`${transport}: publishes, receives, and says which transport it uses`, async () => {
      await page.evaluate((t) => window.rtb.open(t, `pub-${t}`), transport);
      await waitOpen();
      // The "from now" subscription must be in place before the publish (long polling learns its head first).
      await page.waitForFunction((channel) => window.rtb.client.cursor(channel) !== undefined, `pub-${transport}`);
      const seq = await page.evaluate((t) => window.rtb.client.publish(`pub-${t}`, { hello: t }), transport);
      expect(seq).toBe(1);
      await waitSeqs(1);
      const state = await heard();
      expect(state.seqs).toEqual([1]);
      expect(state.transport).toBe(transport);
      expect(state.stats.bytesReceived).toBeGreaterThan(0);
      expect(state.stats.lastLatencyMs).toBeGreaterThanOrEqual(0);
    });

    it(`${transport}: resumes from its last seq after every connection is reset`, async () => {
      const channel = `resume-${transport}`;
      await page.evaluate(([t, c]) => window.rtb.open(t, c, { cursor: 0, backoff: { initialMs: 300, maxMs: 300 } }), [transport, channel]);
      await waitOpen();
      await publish(channel, 2);
      await waitSeqs(2);
      const dropped = await fetch(`${server.url}/admin/drop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"share":1}',
      });
      expect(dropped.status).toBe(200);
      await publish(channel, 3);
      await waitSeqs(5);
      await page.waitForTimeout(300);
      const state = await heard();
      expect(state.seqs).toEqual([1, 2, 3, 4, 5]);
      // Long polling holds no connection between polls to reset; the others reconnected.
      if (transport !== 'long-poll') expect(state.stats.reconnects).toBeGreaterThanOrEqual(1);
    });

    it(`${transport}: a gap when the history moved on while it was away`, async () => {
      const channel = `gap-${transport}`;
      await page.evaluate(([t, c]) => window.rtb.open(t, c, { cursor: 0 }), [transport, channel]);
      await waitOpen();
      await publish(channel, 1);
      await waitSeqs(1);
      await page.evaluate(() => window.rtb.client.close());
      // --history 5: of 12 more, 2..7 are gone when it comes back.
      await publish(channel, 12);
      await page.evaluate(() => window.rtb.client.connect());
      await waitSeqs(6);
      const state = await heard();
      expect(state.gaps).toEqual([{ channel, from: 2, to: 8 }]);
      expect(state.seqs).toEqual([1, 9, 10, 11, 12, 13]);
    });

    it(`${transport}: a refused cursor (a server that lost its history) starts the channel from now`, async () => {
      const channel = `reset-${transport}`;
      await page.evaluate(([t, c]) => window.rtb.open(t, c, { cursor: 40 }), [transport, channel]);
      await page.waitForFunction(() => window.rtb.heard.resets.length > 0, null, { timeout: 10_000 });
      await page.waitForFunction((c) => window.rtb.client.state === 'open' && window.rtb.client.cursor(c) === 0, channel, {
        timeout: 10_000,
      });
      await publish(channel, 1);
      await waitSeqs(1);
      expect((await heard()).resets).toEqual([channel]);
    });
  }

  it('listens to at most 128 channels', async () => {
    const error = await page.evaluate(() => {
      const client = window.rtb.client;
      for (let i = 0; i < 127; i++) client.subscribe(`many-${i}`);
      try {
        client.subscribe('one-too-many');
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(error).toBe('a client listens to at most 128 channels');
    await page.evaluate(() => window.rtb.client.close());
    expect(problems.filter((problem) => !/Failed to load resource|WebSocket/.test(problem))).toEqual([]);
  });
});
