/**
 * What the harness's `faults` scenario needs of the server (issue 10, point
 * 4): /healthz names every worker's pid (to kill -9 or SIGSTOP one), and
 * `POST /admin/drop` (with --admin) resets a share of every worker's client
 * connections.
 */
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serverForSuite, startCli } from '../helpers/server.js';

type Cli = Awaited<ReturnType<typeof startCli>>;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One request on a connection of its own (a pooled one would count towards a worker's connections). */
async function call(
  url: string,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const client = new Client(url);
  try {
    const response = await client.request({ path, method: (init.method ?? 'GET') as 'GET', body: init.body, headers: init.headers });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } finally {
    await client.close();
  }
}

interface WorkerHealth {
  pid: number;
  responding: boolean;
  connections?: number;
}

async function workers(url: string): Promise<WorkerHealth[]> {
  return (await call(url, '/healthz')).body.workers as WorkerHealth[];
}

const json = { 'content-type': 'application/json' };

function drop(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, '/admin/drop', { method: 'POST', body: JSON.stringify(body), headers: { ...json, ...headers } });
}

/** Open WebSockets; `closed` counts those the server has since cut. */
async function openSockets(url: string, count: number): Promise<{ sockets: WebSocket[]; closed: () => number }> {
  let closed = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
          socket.on('error', () => {});
          socket.once('close', (code) => {
            if (code === 1006) closed++;
          });
        }),
    ),
  );
  open.push(...sockets);
  return { sockets, closed: () => closed };
}

const open: WebSocket[] = [];
const stopped: number[] = [];
afterEach(() => {
  for (const pid of stopped.splice(0)) process.kill(pid, 'SIGCONT');
  for (const socket of open.splice(0)) socket.terminate();
});

const auth = { authorization: 'Bearer s3cret' };

describe('rtbench serve --workers 3 --admin --secret', () => {
  const server = serverForSuite(() => startCli(['--workers', '3', '--admin', '--secret', 's3cret'])) as Cli;

  it('/healthz names every worker: three live processes other than the primary', async () => {
    const list = await workers(server.url);
    expect(list).toHaveLength(3);
    const pids = list.map((w) => w.pid);
    expect(new Set(pids).size).toBe(3);
    expect(pids).not.toContain(server.child.pid);
    for (const worker of list) {
      expect(worker).toMatchObject({ responding: true, connections: expect.any(Number), accepting: true, refused: 0 });
      expect(() => process.kill(worker.pid, 0)).not.toThrow();
    }
  });

  it('drop with share 1 resets every client connection of every worker, but not the one that asked', async () => {
    const { closed } = await openSockets(server.url, 30);
    const answer = await drop(server.url, { share: 1 }, auth);
    expect(answer).toEqual({ status: 200, body: { dropped: 30 } });
    for (let i = 0; i < 50 && closed() < 30; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed()).toBe(30);
  });

  it('drop with share 0.5 resets about half, and says exactly how many', async () => {
    const { closed } = await openSockets(server.url, 40);
    const answer = await drop(server.url, { share: 0.5 }, auth);
    expect(answer.status).toBe(200);
    const dropped = answer.body.dropped as number;
    // Each of the three workers rounds its own half.
    expect(Math.abs(dropped - 20)).toBeLessThanOrEqual(2);
    // The resets reach this process when a loaded machine gets to them; then no more may follow.
    for (let i = 0; i < 250 && closed() < dropped; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closed()).toBe(dropped);
  });

  it('refuses a drop without the secret (401), with a bad share (400), by GET (405) or as text/plain (415)', async () => {
    expect(await drop(server.url, { share: 0.1 })).toEqual({
      status: 401,
      body: { error: 'admin endpoints need Authorization: Bearer <secret>', code: 'RTB_ERR_UNAUTHORIZED' },
    });
    for (const body of [{ share: 2 }, { share: -0.1 }, { share: '0.5' }, {}, [0.5]]) {
      expect(await drop(server.url, body, auth)).toEqual({
        status: 400,
        body: { error: 'body must be {"share":S} with S a number from 0 to 1', code: 'RTB_ERR_BAD_REQUEST' },
      });
    }
    expect((await call(server.url, '/admin/drop', { headers: auth })).status).toBe(405);
    const text = await call(server.url, '/admin/drop', {
      method: 'POST',
      body: '{"share":1}',
      headers: { ...auth, 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('a stopped worker is listed as not responding, and /healthz still answers', async () => {
    const [first] = await workers(server.url);
    process.kill(first!.pid, 'SIGSTOP');
    stopped.push(first!.pid);
    // Connections the kernel hands the stopped worker wait; keep asking on fresh ones until another worker answers.
    const asked = Date.now();
    const list = await Promise.any(Array.from({ length: 6 }, () => workers(server.url)));
    expect(Date.now() - asked).toBeLessThan(5000);
    expect(list.find((w) => w.pid === first!.pid)).toEqual({ pid: first!.pid, responding: false });
    expect(list.filter((w) => w.responding)).toHaveLength(2);
  });

  it('a worker killed with SIGKILL is replaced at once', async () => {
    const before = await workers(server.url);
    const victim = before[0]!.pid;
    process.kill(victim, 'SIGKILL');
    let after: WorkerHealth[] = before;
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await workers(server.url);
      if (after.length === 3 && after.every((w) => w.responding) && !after.some((w) => w.pid === victim)) break;
    }
    expect(after.map((w) => w.pid)).not.toContain(victim);
    expect(after.filter((w) => w.responding)).toHaveLength(3);
  });
});

describe('rtbench serve --admin (one process)', () => {
  const server = serverForSuite(() => startCli(['--admin']));

  it('drops its own connections; /healthz lists the process itself', async () => {
    const { closed } = await openSockets(server.url, 5);
    expect(await drop(server.url, { share: 1 })).toEqual({ status: 200, body: { dropped: 5 } });
    for (let i = 0; i < 50 && closed() < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed()).toBe(5);
    const list = await workers(server.url);
    expect(list).toEqual([{ pid: expect.any(Number), responding: true, connections: 1, accepting: true, refused: 0 }]);
  });
});

describe('rtbench serve --workers 2 (no --admin)', () => {
  const server = serverForSuite(() => startCli(['--workers', '2']));

  it('answers /admin/drop 404: the admin endpoints are off', async () => {
    expect(await drop(server.url, { share: 1 })).toEqual({
      status: 404,
      body: { error: 'the admin endpoints are off; start the server with --admin', code: 'RTB_ERR_ADMIN_DISABLED' },
    });
  });
});
