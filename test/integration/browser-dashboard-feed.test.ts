/**
 * The --ui dashboard's server without a browser and without a run: fed
 * progress and events by hand, it serves its feed and /metrics, keeps its
 * bounds (pages at once, a page's unread backlog, samples and events kept),
 * and hands every page the final report before it closes.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Dashboard } from '../../src/dashboard/dashboard.js';
import { MAX_BACKLOG_BYTES, MAX_PAGES } from '../../src/dashboard/feed.js';
import { MAX_EVENTS, MAX_SAMPLES } from '../../src/dashboard/run-state.js';
import type { Progress } from '../../src/harness/orchestrator.js';
import { loadScenario } from '../../src/scenarios/builtin.js';
import { smokeRun } from '../helpers/run-fixture.js';

let dashboard: Dashboard | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await dashboard?.close();
  dashboard = undefined;
});

const progress = (over: Partial<Progress> = {}): Progress => ({
  transport: 'ws',
  phase: 'steady',
  elapsedS: 1,
  open: 180,
  target: 200,
  failed: 2,
  deliveredPerS: 390,
  p50Us: 2_000,
  p90Us: 6_000,
  p99Us: 12_500,
  ...over,
});

async function started() {
  const scenario = await loadScenario('smoke');
  dashboard = await Dashboard.start(scenario, { port: 0 });
  const run = new EventEmitter();
  dashboard.watch(run);
  return { run, url: dashboard.url };
}

/** A raw connection that asks for the feed and then reads nothing (or collects what comes). */
function openFeed(url: string, read: boolean): Promise<{ socket: net.Socket; received: () => string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.on('error', reject);
    socket.once('connect', () => {
      socket.write(`GET /events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
      if (read) socket.on('data', (chunk) => (text += chunk));
      else socket.pause();
      resolve({ socket, received: () => text });
    });
  });
}

describe('--ui dashboard server', () => {
  it('greets a page with the run so far, then streams samples and events, then the report', async () => {
    const { run, url } = await started();
    run.emit('progress', progress({ phase: 'ramp', open: 50 }));
    const feed = await openFeed(url, true);
    await expect.poll(() => feed.received()).toContain('event: hello');
    const hello = JSON.parse(/event: hello\ndata: (.*)\n/.exec(feed.received())![1]!);
    expect(hello.scenario).toMatchObject({ name: 'smoke', transports: ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'] });
    expect(hello.samples).toEqual([expect.objectContaining({ transport: 'ws', phase: 'ramp', open: 50, intended: null })]);

    run.emit('progress', progress());
    run.emit('event', { t_s: 1.5, transport: 'ws', kind: 'fault', message: 'kill-worker' });
    await expect.poll(() => feed.received()).toContain('event: run-event');
    const sample = JSON.parse(/event: sample\ndata: (.*)\n/.exec(feed.received())![1]!);
    // smoke: 2 updates/s per channel, so 200 clients are owed 400/s.
    expect(sample).toMatchObject({ open: 180, target: 200, failed: 2, achieved: 390, intended: 400, p99Ms: 12.5 });

    const metrics = await fetch(`${url}metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    for (const line of [
      'rtbench_run_clients_open{transport="ws"} 180',
      'rtbench_run_updates_per_second{transport="ws"} 390',
      'rtbench_run_updates_intended_per_second{transport="ws"} 400',
      'rtbench_run_latency_p99_seconds{transport="ws"} 0.0125',
      'rtbench_run_phase{transport="ws",phase="steady"} 1',
      'rtbench_run_events_total{kind="fault"} 1',
      'rtbench_run_done 0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }

    await dashboard!.finish(smokeRun());
    dashboard = undefined;
    await expect.poll(() => feed.received()).toContain('event: done');
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(feed.received())![1]!);
    expect(done.status).toBe('ok');
    expect(done.html).toContain('<title>rtbench run: smoke</title>');
    expect(Object.keys(done.figures)).toEqual(['short-poll', 'long-poll', 'sse', 'fallback', 'ws']);
  });

  it(`serves at most ${MAX_PAGES} pages at once`, async () => {
    const { url } = await started();
    for (let i = 0; i < MAX_PAGES; i++) await openFeed(url, false);
    await expect.poll(() => fetch(`${url}metrics`).then(() => true)).toBe(true);
    const refused = await fetch(`${url}events`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'RTB_ERR_TOO_MANY_PAGES' });
  });

  it(`drops a page that leaves ${MAX_BACKLOG_BYTES / 1024 / 1024} MB unread, and keeps ${MAX_SAMPLES} samples and ${MAX_EVENTS} events`, async () => {
    const { run, url } = await started();
    const stalled = await openFeed(url, false);
    const closed = new Promise((resolve) => stalled.socket.once('close', resolve));
    await expect.poll(() => dashboard!.pages).toBe(1);
    // Each sample is about 200 bytes: 100,000 of them are some 20 MB, past the bound and the socket buffers.
    for (let i = 0; i < 100_000; i++) run.emit('progress', progress({ open: i }));
    expect(dashboard!.pages).toBe(0);
    for (let i = 0; i < MAX_EVENTS + 10; i++) run.emit('event', { t_s: i, kind: 'server-log', message: `line ${i}` });
    stalled.socket.resume();
    await closed;
    expect(dashboard!.state.samples).toHaveLength(MAX_SAMPLES);
    expect(dashboard!.state.samples.at(-1)!.open).toBe(99_999);
    expect(dashboard!.state.events).toHaveLength(MAX_EVENTS);
    expect(dashboard!.state.eventCounts.get('server-log')).toBe(MAX_EVENTS + 10);
  });
});
