/**
 * Issue 9, point 9: a worker at --max-connections stops accepting, so the
 * kernel hands new connections to the others; when every worker is full,
 * what is over the budget is answered 503 (RTB_ERR_SERVER_FULL), counted in
 * rtbench_connections_refused_total and logged, never dropped silently.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Client } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serverForSuite, startCli, startInProcess } from '../helpers/server.js';

type Cli = Awaited<ReturnType<typeof startCli>>;

interface WorkerHealth {
  pid: number;
  responding: boolean;
  connections: number;
  accepting: boolean;
}

/** /healthz on a connection of its own, closed after: a pooled one would count towards a worker (or wait on a stopped one). */
async function health(url: string): Promise<{ pid: number; workers: WorkerHealth[] }> {
  const client = new Client(url);
  try {
    const response = await client.request({ path: '/healthz', method: 'GET' });
    return (await response.body.json()) as { pid: number; workers: WorkerHealth[] };
  } finally {
    await client.close();
  }
}

async function metricsText(url: string): Promise<string> {
  const client = new Client(url);
  try {
    return await (await client.request({ path: '/metrics', method: 'GET' })).body.text();
  } finally {
    await client.close();
  }
}

/** A WebSocket that resolves `opened` on its 101, or `refused` with the status and body of any other answer. */
interface Attempt {
  socket: WebSocket;
  result: Promise<{ open: true } | { open: false; status: number; body: string }>;
}

function attempt(url: string): Attempt {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  const result = new Promise<{ open: true } | { open: false; status: number; body: string }>((resolve, reject) => {
    socket.once('open', () => resolve({ open: true }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ open: false, status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    socket.once('error', reject);
  });
  // Closing a refused or half-open attempt later raises errors nobody waits for.
  socket.on('error', () => {});
  return { socket, result };
}

const sockets: WebSocket[] = [];
async function closeAll(): Promise<void> {
  await Promise.all(
    sockets.splice(0).map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.terminate();
        }),
    ),
  );
}

function refusedTotal(metrics: string): number {
  return Number(/^rtbench_connections_refused_total\{reason="max_connections"\} (\d+)$/m.exec(metrics)?.[1]);
}

describe('rtbench serve --workers 3 --max-connections 50', () => {
  const server = serverForSuite(() => startCli(['--workers', '3', '--max-connections', '50'])) as Cli;
  const stopped: number[] = [];
  afterAll(async () => {
    for (const pid of stopped.splice(0)) process.kill(pid, 'SIGCONT');
    await closeAll();
  });

  it('a full worker stops accepting and the others take the rest: 70 clients while two workers sleep, none over 50', async () => {
    const workers = (await health(server.url)).workers.map((w) => w.pid);
    expect(workers).toHaveLength(3);
    const [awake, ...asleep] = workers as [number, number, number];
    // With two workers stopped, every connection reaches the third, which takes 50 and then leaves the rest queued.
    for (const pid of asleep) {
      process.kill(pid, 'SIGSTOP');
      stopped.push(pid);
    }
    const attempts = Array.from({ length: 70 }, () => attempt(server.url));
    sockets.push(...attempts.map((a) => a.socket));
    let opened = 0;
    for (const a of attempts) void a.result.then((r) => (opened += r.open ? 1 : 0));
    try {
      for (let i = 0; i < 100 && opened < 50; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(opened).toBe(50);
    } finally {
      for (const pid of stopped.splice(0)) process.kill(pid, 'SIGCONT');
    }

    const results = await Promise.all(attempts.map((a) => a.result));
    expect(results.filter((r) => r.open)).toHaveLength(70);
    const after = await health(server.url);
    const byPid = new Map(after.workers.map((w) => [w.pid, w.connections - (w.pid === after.pid ? 1 : 0)]));
    expect(byPid.get(awake)).toBe(50);
    expect(after.workers.find((w) => w.pid === awake)!.accepting).toBe(false);
    expect(byPid.get(asleep[0]!)! + byPid.get(asleep[1]!)!).toBe(20);
    for (const worker of after.workers) expect(worker.connections).toBeLessThanOrEqual(50);
  });

  it('with every worker full, the rest are answered 503, counted and logged', async () => {
    const stderr: string[] = [];
    (server.child as ChildProcess).stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    // 70 are open: 80 more fill the three workers, 10 are over.
    const attempts = Array.from({ length: 90 }, () => attempt(server.url));
    sockets.push(...attempts.map((a) => a.socket));
    const results = await Promise.all(attempts.map((a) => a.result));
    const refused = results.filter((r) => !r.open);
    expect(results.filter((r) => r.open)).toHaveLength(80);
    expect(refused).toHaveLength(10);
    for (const answer of refused) {
      expect(answer).toEqual({
        open: false,
        status: 503,
        body: '{"error":"the server is at its connection limit; try again later","code":"RTB_ERR_SERVER_FULL"}',
      });
    }
    // Room for the scrape.
    for (const socket of sockets.slice(0, 5)) socket.terminate();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const metrics = await metricsText(server.url);
    expect(refusedTotal(metrics)).toBe(10);
    expect(stderr.join('')).toMatch(/refused connections \(at --max-connections 50, every worker full\): \d+ since start/);
  });
});

describe('rtbench serve --max-connections 3 (one process)', () => {
  const server = serverForSuite(() => startCli(['--max-connections', '3']));
  afterEach(closeAll);

  it('answers the connection over the budget 503 and counts it', async () => {
    const attempts = Array.from({ length: 3 }, () => attempt(server.url));
    sockets.push(...attempts.map((a) => a.socket));
    expect((await Promise.all(attempts.map((a) => a.result))).every((r) => r.open)).toBe(true);
    const over = attempt(server.url);
    sockets.push(over.socket);
    expect(await over.result).toMatchObject({ open: false, status: 503 });
    sockets[0]!.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const metrics = await metricsText(server.url);
    expect(refusedTotal(metrics)).toBe(1);
    expect(metrics).toMatch(/^rtbench_process_connections\{pid="\d+"\} 3$/m);
  });
});

describe('refusals in flight are bounded', () => {
  const server = serverForSuite(() => startInProcess({ maxConnections: 1 }));
  const raw: net.Socket[] = [];
  afterEach(() => {
    for (const socket of raw.splice(0)) socket.destroy();
  });

  /** A raw connection that never writes nor closes its side; resolves with what it got once the server closes. */
  function silent(): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
      raw.push(socket);
      let got = '';
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(got));
    });
  }

  it('256 refused connections wait for their client to read the 503; beyond that they are closed at once', async () => {
    const holder = net.connect({ port: server.port, host: '127.0.0.1' });
    raw.push(holder);
    await new Promise((resolve) => holder.once('connect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = await Promise.all(Array.from({ length: 300 }, silent));
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 503 Service Unavailable\r\n'))).toHaveLength(256);
    expect(answers.filter((a) => a === '')).toHaveLength(44);
    holder.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(refusedTotal(await metricsText(server.url))).toBe(300);
  });
});
