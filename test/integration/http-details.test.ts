/**
 * Behaviour the parametrised suite does not reach: long polls across the gap
 * between requests, conditional short polls (ETag / 304), SSE resume with
 * Last-Event-ID, health, metrics, auth, and workers sharing one port.
 */
import { randomUUID } from 'node:crypto';
import { EventSource } from 'eventsource';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/servers/hub.js';
import { serverForSuite, startCli, startInProcess } from '../helpers/server.js';
import { publish } from '../helpers/subscribers.js';

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
}

describe.each([
  { mode: 'in-process', start: () => startInProcess({ secret: 's3cret' }) },
  { mode: '--workers 3', start: () => startCli(['--workers', '3', '--secret', 's3cret']) },
])('server $mode', ({ start }) => {
  const server = serverForSuite(start);
  const auth = { authorization: 'Bearer s3cret' };

  it('long polling: a message published while the client is between requests is still delivered', async () => {
    const channel = `lp-${randomUUID()}`;
    const held = getJson(`${server.url}/long-poll?channel=${channel}&cursor=0&timeout=5000`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await publish(server.url, { channel, data: 'first' }, auth);
    const first = await held;
    expect(first.status).toBe(200);
    expect(first.body.cursor).toBe(1);
    expect(first.body.messages.map((m: Envelope) => m.data)).toEqual(['first']);
    // Nobody is polling now: these two land in the gap.
    await publish(server.url, { channel, data: 'gap-1' }, auth);
    await publish(server.url, { channel, data: 'gap-2' }, auth);
    const second = await getJson(`${server.url}/long-poll?channel=${channel}&cursor=${first.body.cursor}&timeout=5000`);
    expect(second.body).toMatchObject({
      cursor: 3,
      messages: [
        { seq: 2, data: 'gap-1' },
        { seq: 3, data: 'gap-2' },
      ],
    });
  });

  it('long polling: the timeout answers with no messages and the same cursor', async () => {
    const channel = `lp-${randomUUID()}`;
    const started = Date.now();
    const answer = await getJson(`${server.url}/long-poll?channel=${channel}&cursor=0&timeout=200`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(answer).toMatchObject({ status: 200, body: { cursor: 0, messages: [] } });
  });

  it('short polling: ETag and If-None-Match give a bodiless 304 until something new arrives', async () => {
    const channel = `sp-${randomUUID()}`;
    await publish(server.url, { channel, data: 1 }, auth);
    const first = await getJson(`${server.url}/poll?channel=${channel}&cursor=0`);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"1"');
    const unchanged = await getJson(`${server.url}/poll?channel=${channel}&cursor=1`, { 'if-none-match': '"1"' });
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe('');
    await publish(server.url, { channel, data: 2 }, auth);
    const changed = await getJson(`${server.url}/poll?channel=${channel}&cursor=1`, { 'if-none-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.body).toMatchObject({ cursor: 2, messages: [{ seq: 2, data: 2 }] });
  });

  it('SSE: a reconnect with Last-Event-ID resumes after that id', async () => {
    const channel = `sse-${randomUUID()}`;
    for (let i = 1; i <= 6; i++) await publish(server.url, { channel, data: i }, auth);
    const received: Envelope[] = [];
    const source = new EventSource(`${server.url}/sse?channel=${channel}`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, 'last-event-id': '4' } }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        source.onmessage = (event) => {
          received.push(JSON.parse(event.data));
          expect(event.lastEventId).toBe(String(received.at(-1)!.seq));
          if (received.length === 2) resolve();
        };
        source.onerror = () => reject(new Error('EventSource failed'));
      });
    } finally {
      source.close();
    }
    expect(received.map((m) => m.seq)).toEqual([5, 6]);
  });

  it('SSE: the stream is text/event-stream with id lines and a heartbeat-ready comment', async () => {
    const channel = `sse-${randomUUID()}`;
    await publish(server.url, { channel, event: 'update', data: 'x', ts: 1700000000000.5 }, auth);
    const controller = new AbortController();
    // cursor=0: replay from the start (without a cursor a stream starts from now).
    const response = await request(`${server.url}/sse?channel=${channel}&cursor=0`, { signal: controller.signal });
    expect(response.headers['content-type']).toBe('text/event-stream');
    let text = '';
    for await (const chunk of response.body) {
      text += chunk;
      if (text.includes('\n\nid: 1')) {
        if (text.endsWith('\n\n')) break;
      }
    }
    controller.abort();
    expect(text).toBe(`:ok\n\nid: 1\ndata: {"channel":"${channel}","seq":1,"event":"update","ts":1700000000000.5,"data":"x"}\n\n`);
  });

  it('publishing needs the secret when the server has one', async () => {
    const denied = await publish(server.url, { channel: 'x', data: 1 });
    expect(denied).toEqual({
      status: 401,
      body: { error: 'publishing needs Authorization: Bearer <secret>', code: 'RTB_ERR_UNAUTHORIZED' },
    });
    const wrong = await publish(server.url, { channel: 'x', data: 1 }, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('healthz and metrics answer', async () => {
    const health = await getJson(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', connections: { 'short-poll': 0, sse: expect.any(Number) } });
    const metrics = await request(`${server.url}/metrics`);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = await metrics.body.text();
    for (const name of [
      'rtbench_connections_open',
      'rtbench_subscribers',
      'rtbench_messages_published_total',
      'rtbench_messages_delivered_total',
      'rtbench_bytes_written_total',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/rtbench_messages_delivered_total\{transport="long-poll"\} [1-9]/);
    expect(text).toMatch(/rtbench_bytes_written_total\{transport="short-poll"\} [1-9]/);
  });
});

describe('rtbench serve --workers 3', () => {
  const server = serverForSuite(() => startCli(['--workers', '3']));

  it('spreads connections over several processes on one port, sharing one seq space', async () => {
    const pids = new Set<number>();
    const channel = `w-${randomUUID()}`;
    const seqs: number[] = [];
    for (let i = 0; i < 30; i++) {
      // A fresh agent per request forces a new connection, which the kernel
      // may hand to any worker.
      const agent = new Agent({ pipelining: 0 });
      const health = await request(`${server.url}/healthz`, { dispatcher: agent });
      pids.add(((await health.body.json()) as { pid: number }).pid);
      const answer = await request(`${server.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, data: i }),
        dispatcher: agent,
      });
      seqs.push(((await answer.body.json()) as { seq: number }).seq);
      await agent.close();
    }
    expect(pids.size).toBeGreaterThan(1);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('stops every worker on SIGTERM', async () => {
    const extra = await startCli(['--workers', '2']);
    const health = await getJson(`${extra.url}/healthz`);
    const workerPid = health.body.pid as number;
    expect(workerPid).not.toBe(extra.child.pid);
    await extra.stop();
    expect(extra.child.exitCode).toBe(0);
    expect(() => process.kill(workerPid, 0)).toThrow();
  });
});
