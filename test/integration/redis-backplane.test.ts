/**
 * Issue 13: `rtbench serve --redis` on real parts: a real redis-server
 * (test/helpers/redis-server.ts) and real server nodes as child processes,
 * one of them a cluster (`--workers 2`, whose primary talks to Redis).
 * Subscribers over every transport on both nodes get every message
 * published on either node, once and in seq order; clients of a node that is
 * killed resume on the other from their cursor without loss; the history
 * bound holds in Redis and a cursor older than it gets the local server's
 * gap; a node that loses Redis refuses publishes (503) and says so on
 * /healthz until Redis is back.
 */
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/servers/hub.js';
import { EngineClient } from '../helpers/fallback-clients.js';
import { redisForSuite, startRedis } from '../helpers/redis-server.js';
import { CLI, type RunningServer, startCli, startInProcess } from '../helpers/server.js';
import { listen } from '../../src/servers/app.js';
import { createBackplaneApp } from '../../src/servers/backplane.js';
import { RedisBackplane } from '../../src/servers/redis/redis-backplane.js';
import { publish, subscribe, TRANSPORT_NAMES, type TestSubscriber } from '../helpers/subscribers.js';
import { spawnSync } from 'node:child_process';

/** How long a node may take to start (the CLI's start-up alone was 3-5 s at a load average of 15). */
const START_MS = 45_000;

type Node = RunningServer & Partial<Awaited<ReturnType<typeof startCli>>>;

/** A node in this process (as `serve --redis` without --workers builds it): cheaper to start than a child on a loaded machine. */
async function inProcessNode(url: string, prefix: string, historySize: number): Promise<Node> {
  const backplane = await RedisBackplane.connect({ url, prefix, historySize, historyTtlMs: 300_000 });
  const app = await createBackplaneApp(backplane, { config: { host: '127.0.0.1', port: 0, historySize } });
  const port = await listen(app);
  return { url: `http://127.0.0.1:${port}`, port, stop: () => app.close().then(() => backplane.close()) };
}

/** One subscriber per transport on `url`, fallback (Engine.IO: polling, then the WebSocket upgrade) included. */
async function everyTransport(
  url: string,
  channel: string,
  cursor?: number,
): Promise<Map<string, { seqs: () => Envelope[]; close: () => Promise<void> }>> {
  const out = new Map<string, { seqs: () => Envelope[]; close: () => Promise<void> }>();
  for (const transport of TRANSPORT_NAMES) {
    const subscriber: TestSubscriber = await subscribe(transport, url, [channel], cursor === undefined ? undefined : [cursor]);
    out.set(transport, { seqs: () => subscriber.received, close: () => subscriber.close() });
  }
  const engine = await EngineClient.open(url, {});
  await engine.subscribe(channel, cursor);
  out.set('fallback', { seqs: () => engine.envelopes(channel), close: async () => engine.close() });
  return out;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function publishOn(url: string, channel: string, data: unknown): Promise<number> {
  const answer = await publish(url, { channel, event: 'update', data });
  if (answer.status !== 202) throw new Error(`publish answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.seq as number;
}

describe('rtbench serve --redis: two nodes through one Redis', () => {
  const redis = redisForSuite();
  const nodes: Node[] = [];
  // Node A, node B (a cluster: its primary talks to Redis) and, for the history bound, node C with --history 5, started together.
  beforeAll(async () => {
    const args = ['--redis', redis.url, '--redis-prefix', 'two:'];
    // Servers starting at once on a loaded 2-core machine can take longer than one alone is given.
    const starts = [startCli(args, START_MS), startCli([...args, '--workers', '2'], START_MS), inProcessNode(redis.url, 'bound:', 5)];
    nodes.push(...(await Promise.all(starts)));
  }, START_MS + 5000);
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close().catch(() => {})));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it('every subscriber, on either node and over every transport, gets every message of both nodes once and in order', async () => {
    const [a, b] = nodes as [Node, Node];
    const channel = 'both';
    const subscribers = [...(await everyTransport(a.url, channel)), ...(await everyTransport(b.url, channel))];
    for (const [, s] of subscribers) closers.push(s.close);

    // 30 one after the other, alternating nodes, then 30 at once from both.
    const sent = new Map<number, string>();
    for (let i = 0; i < 30; i++) sent.set(await publishOn(i % 2 ? b.url : a.url, channel, `s${i}`), `s${i}`);
    expect([...sent.keys()]).toEqual(range(1, 30));
    const seqs = await Promise.all(range(30, 59).map((i) => publishOn(i % 2 ? b.url : a.url, channel, `c${i}`)));
    for (const [i, seq] of seqs.entries()) sent.set(seq, `c${i + 30}`);
    expect([...sent.keys()].sort((x, y) => x - y)).toEqual(range(1, 60));

    for (const [index, [transport, subscriber]] of subscribers.entries()) {
      const where = `${transport} on node ${index < 5 ? 'A' : 'B'}`;
      await waitFor(() => subscriber.seqs().length >= 60, `60 messages for ${where}`);
      const got = subscriber.seqs();
      expect(
        got.map((m) => m.seq),
        where,
      ).toEqual(range(1, 60));
      expect(
        got.every((m) => m.data === sent.get(m.seq) && m.channel === channel),
        where,
      ).toBe(true);
    }
  });

  it('clients of a node killed mid-run resume on the other node from their cursor, without loss', async () => {
    const [a, b] = nodes as [Node, Node];
    const channel = 'resume';
    const onA = await everyTransport(a.url, channel);
    for (const [, s] of onA) closers.push(s.close);
    const total = 80;
    let published = 0;
    const publishing = (async () => {
      for (; published < total; published++) {
        await publishOn(b.url, channel, `r${published + 1}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor(() => [...onA.values()].every((s) => s.seqs().length >= 20), '20 messages on every transport of node A');
    a.child!.kill('SIGKILL');
    await new Promise((resolve) => a.child!.once('exit', resolve));
    const cursors = new Map([...onA].map(([transport, s]) => [transport, s.seqs().at(-1)!.seq]));
    for (const [transport, s] of onA)
      expect(
        s.seqs().map((m) => m.seq),
        transport,
      ).toEqual(range(1, cursors.get(transport)!));
    // Node A is gone; each client resumes on B from the last seq it saw.
    const resumed = new Map<string, () => Envelope[]>();
    for (const [transport, cursor] of cursors) {
      const again = await everyTransport(b.url, channel, cursor);
      for (const [name, s] of again) {
        closers.push(s.close);
        if (name === transport) resumed.set(transport, s.seqs);
      }
    }
    await publishing;
    for (const [transport, seqs] of resumed) {
      const cursor = cursors.get(transport)!;
      await waitFor(() => seqs().length >= total - cursor, `${transport}: the rest after ${cursor}`);
      const before = onA.get(transport)!.seqs();
      const all = [...before, ...seqs()];
      expect(
        all.map((m) => m.seq),
        transport,
      ).toEqual(range(1, total));
      expect(
        all.every((m) => m.data === `r${m.seq}`),
        transport,
      ).toBe(true);
    }
  });

  it(
    'keeps at most --history messages per channel in Redis, and a cursor older than that gets the gap a local server gives',
    async () => {
      const first = nodes[2]!;
      for (let i = 1; i <= 12; i++) await publishOn(first.url, 'bounded', `b${i}`);
      const client = new Redis(redis.url);
      closers.push(async () => void (await client.quit()));
      expect(await client.xlen('bound:history:bounded')).toBe(5);
      expect(await client.get('bound:seq:bounded')).toBe('12');
      // A node started now loads its history from Redis.
      const late = await inProcessNode(redis.url, 'bound:', 5);
      nodes.push(late);
      const local = await startInProcess({ historySize: 5 });
      closers.push(local.stop);
      for (let i = 1; i <= 12; i++) await publishOn(local.url, 'bounded', `b${i}`);
      const withoutTs = (body: { messages: Envelope[] }) => ({ ...body, messages: body.messages.map(({ ts: _, ...m }) => m) });
      for (const cursor of [0, 3, 9]) {
        const fromRedis = await (await request(`${late.url}/poll?channel=bounded&cursor=${cursor}`)).body.json();
        const fromLocal = await (await request(`${local.url}/poll?channel=bounded&cursor=${cursor}`)).body.json();
        expect(withoutTs(fromRedis as never), `cursor ${cursor}`).toEqual(withoutTs(fromLocal as never));
      }
      const gapped = (await (await request(`${late.url}/poll?channel=bounded&cursor=0`)).body.json()) as {
        gap: unknown;
        messages: Envelope[];
      };
      expect(gapped.gap).toEqual({ from: 1, to: 7 });
      expect(gapped.messages.map((m) => m.seq)).toEqual(range(8, 12));
    },
    START_MS + 15_000,
  );
  // Last: it stops the suite's Redis. Node B (--workers 2: the primary has the connection) and node C (one process, in this one).
  it('lost mid-run: publishes answer 503 with a JSON error and /healthz says so; when Redis is back (empty) seqs go on', async () => {
    const survivors = [nodes[1]!, nodes[2]!];
    const subscribers = await Promise.all(survivors.map((node) => subscribe('ws', node.url, ['lost'])));
    for (const subscriber of subscribers) closers.push(() => subscriber.close());
    for (const node of survivors) expect(await publishOn(node.url, 'lost', 'before')).toBe(1);
    await redis.stop();
    for (const node of survivors) {
      const refused = await publish(node.url, { channel: 'lost', data: 'during' });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'RTB_ERR_BACKPLANE' });
      expect(refused.body.error).toMatch(/not published: Redis \(redis:\/\/127\.0\.0\.1:\d+\) did not take it/);
      const health = await request(`${node.url}/healthz`);
      expect(health.statusCode).toBe(503);
      expect(await health.body.json()).toMatchObject({ status: 'backplane-unreachable', backplane: { connected: false } });
    }

    // A fresh Redis on the same port, without the old one's data: the nodes reconnect and put their heads back.
    const again = await startRedis({ port: redis.port });
    closers.push(() => again.stop());
    for (const node of survivors) {
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const answer = await request(`${node.url}/healthz`);
        await answer.body.dump();
        status = answer.statusCode;
      }
      expect(status).toBe(200);
      expect(await publishOn(node.url, 'lost', 'after')).toBe(2);
    }
    for (const subscriber of subscribers) {
      const received = await subscriber.waitFor(2);
      expect(received.map((m) => [m.seq, m.data])).toEqual([
        [1, 'before'],
        [2, 'after'],
      ]);
    }
  });
});

describe('rtbench serve --redis: Redis unreachable', () => {
  it('serve fails at start and names the URL', () => {
    const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--redis', 'redis://127.0.0.1:1'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});
