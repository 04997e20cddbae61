/**
 * A real `redis-server` (the Debian package) for tests: on a free loopback
 * port, with no persistence (`--save '' --appendonly no`) and its own temp
 * dir, started and waited for until it answers PING. `stop()` ends it and
 * removes the dir; if the start fails, whatever was started is stopped too.
 *
 *   const redis = await startRedis();      // redis.url = 'redis://127.0.0.1:PORT'
 *   try { ... } finally { await redis.stop(); }
 *
 * or, for a whole suite, `const redis = redisForSuite();` (beforeAll/afterAll).
 * The PING is spoken by hand (RESP is one line here) so the helper needs no
 * Redis client library.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export const REDIS_SERVER = process.env.RTBENCH_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RunningRedis {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  host: string;
  port: number;
  child: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** How long to wait for the first PONG (default 10 s). */
  timeoutMs?: number;
  /** Extra `redis-server` arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  /** A given port instead of a free one (to start Redis again where a stopped one was); no retry. */
  port?: number;
}

/** Starts redis-server on a free loopback port; retries on another port if the one picked was taken meanwhile. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `redis-server not found at ${REDIS_SERVER}: install it (apt-get install redis-server) or point RTBENCH_REDIS_SERVER at it`,
    );
  }
  if (options.port !== undefined) return startOnce(options.port, options);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort(), options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** A redis-server started before the suite's tests and stopped after them (filled in by beforeAll). */
export function redisForSuite(options: RedisOptions = {}): RunningRedis {
  const redis = {} as RunningRedis;
  beforeAll(async () => {
    Object.assign(redis, await startRedis(options));
  }, 30_000);
  afterAll(async () => {
    await redis.stop?.();
  });
  return redis;
}

/** Sends PING to host:port and resolves true on +PONG (false on any error or after timeoutMs). */
export function ping(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

async function startOnce(port: number, options: RedisOptions): Promise<RunningRedis> {
  const host = '127.0.0.1';
  const dir = mkdtempSync(path.join(tmpdir(), 'rtbench-redis-'));
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const child = spawn(REDIS_SERVER, [...args, ...(options.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      output += `\n${error.message}`;
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!(await ping(host, port, 500))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING${exited ? ' (it exited)' : ''}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://${host}:${port}`, host, port, child, stop };
}

/** A port the kernel just gave out and took back; redis-server cannot be told "port 0", hence the retry above. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
