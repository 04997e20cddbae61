/**
 * Issue 9, point 7: under --workers a publish crosses the IPC channel once
 * with its data (not once per channel), and a worker that starts after a
 * large history gets all of it (sent in chunks) before it serves.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/servers/hub.js';
import { type RunningServer, serverForSuite, startCli } from '../helpers/server.js';
import { publish, subscribe, type TestSubscriber } from '../helpers/subscribers.js';

interface Health {
  pid: number;
  workers: { pid: number; responding: boolean; connections?: number }[];
}

async function health(url: string): Promise<Health> {
  const response = await request(`${url}/healthz`);
  return (await response.body.json()) as Health;
}

/** Client connections per worker pid, not counting the /healthz request's own. */
async function connectionsByWorker(url: string): Promise<Map<number, number>> {
  const answer = await health(url);
  return new Map(answer.workers.map((w) => [w.pid, (w.connections ?? 0) - (w.pid === answer.pid ? 1 : 0)]));
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

const subscribers: TestSubscriber[] = [];
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((s) => s.close()));
});

describe('rtbench serve --workers 3: one publish to 1,000 channels', () => {
  const server = serverForSuite(() => startCli(['--workers', '3'])) as RunningServer & Awaited<ReturnType<typeof startCli>>;

  it('costs no process more than 50 MB of RSS, with 60 KB of data (the data crosses the IPC channel once)', async () => {
    const channels = Array.from({ length: 1000 }, (_, i) => `rss-${i}`);
    const pids = [server.child.pid!, ...(await health(server.url)).workers.map((w) => w.pid)];
    const before = pids.map(rssMb);
    const data = 'r'.repeat(60_000);
    for (let i = 0; i < 3; i++) expect((await publish(server.url, { channel: channels, data: { i, data } })).status).toBe(202);
    // The workers apply the batches as they arrive; a moment for the last one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = pids.map(rssMb);
    const growth = after.map((mb, i) => Math.round(mb - before[i]!));
    // Sent as one envelope per channel, this was +400-1,100 MB per process.
    for (const mb of growth) expect(mb).toBeLessThan(50);
  });

  it('reaches subscribers on every worker, every channel in seq order', async () => {
    const prefix = `fan-${randomUUID().slice(0, 8)}`;
    const channels = Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`);
    // 40 WebSockets with 25 channels each cover the 1,000; the kernel spreads them over the workers.
    for (let i = 0; i < 40; i++) subscribers.push(await subscribe('ws', server.url, channels.slice(i * 25, i * 25 + 25)));
    const spread = await connectionsByWorker(server.url);
    expect(spread.size).toBe(3);
    for (const count of spread.values()) expect(count).toBeGreaterThan(0);

    const pad = 'p'.repeat(2000);
    for (let i = 0; i < 3; i++) {
      const answer = await publish(server.url, { channel: channels, event: 'update', data: { i, pad } });
      expect(answer.status).toBe(202);
      const seqs = answer.body.seqs as Record<string, number>;
      expect(Object.keys(seqs)).toHaveLength(1000);
      expect(new Set(Object.values(seqs))).toEqual(new Set([i + 1]));
    }
    for (const [index, subscriber] of subscribers.entries()) {
      const received = await subscriber.waitFor(75);
      expect(received).toHaveLength(75);
      const byChannel = new Map<string, Envelope[]>();
      for (const message of received) byChannel.set(message.channel, [...(byChannel.get(message.channel) ?? []), message]);
      expect([...byChannel.keys()].sort()).toEqual(channels.slice(index * 25, index * 25 + 25).sort());
      for (const messages of byChannel.values()) {
        expect(messages.map((m) => m.seq)).toEqual([1, 2, 3]);
        expect(messages.map((m) => (m.data as { i: number; pad: string }).i)).toEqual([0, 1, 2]);
        expect(messages.every((m) => (m.data as { pad: string }).pad === pad && m.event === 'update')).toBe(true);
      }
    }
  });
});

/** A keep-alive connection that the kernel gave to worker `pid` (asks /healthz on fresh connections until one is). */
async function connectionTo(server: RunningServer, pid: number): Promise<Client> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const client = new Client(server.url, { pipelining: 1, keepAliveTimeout: 30_000 });
    const answer = await client.request({ path: '/healthz', method: 'GET' });
    const body = (await answer.body.json()) as Health;
    if (body.pid === pid) return client;
    await client.close();
  }
  throw new Error(`no connection reached worker ${pid}`);
}

async function pollOn(client: Client, path: string): Promise<{ status: number; body: { cursor: unknown; messages: Envelope[] } }> {
  const answer = await client.request({ path, method: 'GET' });
  return { status: answer.statusCode, body: (await answer.body.json()) as { cursor: unknown; messages: Envelope[] } };
}

describe('rtbench serve --workers 2: a worker started after a large history', () => {
  const server = serverForSuite(() => startCli(['--workers', '2']));
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('gets the whole history before it serves: a resume from cursor 0 on it returns every message in order', async () => {
    // 50 channels x 100 messages of ~2 KB: ~10 MB of history, about ten snapshot chunks.
    const prefix = `hist-${randomUUID().slice(0, 8)}`;
    const channels = Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);
    const pad = 'h'.repeat(2000);
    for (let i = 1; i <= 100; i++) {
      const answer = await publish(server.url, { channel: channels, data: { i, pad } });
      expect(answer.status).toBe(202);
    }

    const before = await health(server.url);
    const victim = before.workers[0]!.pid;
    process.kill(victim, 'SIGKILL');
    let replacement: number | undefined;
    for (let i = 0; i < 100 && replacement === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await health(server.url);
      replacement = now.workers.find((w) => w.responding && !before.workers.some((b) => b.pid === w.pid))?.pid;
    }
    expect(replacement).toBeDefined();

    const client = await connectionTo(server, replacement!);
    clients.push(client);
    const all = await pollOn(client, `/poll?channel=${channels.join(',')}&cursor=${channels.map(() => 0).join(',')}`);
    expect(all.status).toBe(200);
    expect(all.body.messages).toHaveLength(5000);
    for (const channel of channels) {
      const messages = all.body.messages.filter((m) => m.channel === channel);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(messages.every((m, i) => (m.data as { i: number; pad: string }).i === i + 1 && (m.data as { pad: string }).pad === pad)).toBe(
        true,
      );
    }

    // And it follows what is published from then on.
    await publish(server.url, { channel: channels[7], data: 'after' });
    const next = await pollOn(client, `/long-poll?channel=${channels[7]}&cursor=100&timeout=5000`);
    expect(next.body.messages.map((m) => [m.seq, m.data])).toEqual([[101, 'after']]);
  });
});
