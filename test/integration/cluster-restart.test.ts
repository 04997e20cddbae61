/**
 * Issue 9, point 10: a worker that dies as it starts is replaced after a
 * back-off (100 ms, doubling), and after 5 such failures within 60 s the
 * server gives up with a clear message and a non-zero exit instead of
 * forking in a tight loop. Worker starts are made to fail with the test hook
 * RTBENCH_TEST_FAIL_WORKER_IF (cluster/worker-main.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CLI } from '../helpers/server.js';

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function serve(args: string[], failIf: string): Started {
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, RTBENCH_TEST_FAIL_WORKER_IF: failIf },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function hookFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtbench-restart-'));
  dirs.push(dir);
  return path.join(dir, 'fail');
}

const GIVE_UP = 'rtbench serve: giving up: 5 workers failed to start within 60 s (the last: exit code 3); stopping';

function delaysIn(stderr: string): number[] {
  return [...stderr.matchAll(/failed to start \(exit code 3\); starting another in (\d+) ms/g)].map((m) => Number(m[1]));
}

it('workers that fail at start-up are retried with growing delays, then the server gives up and exits 1', async () => {
  const failIf = hookFile();
  writeFileSync(failIf, '');
  const started = performance.now();
  const server = serve(['--workers', '2'], failIf);
  expect(await server.exited).toBe(1);
  const elapsed = performance.now() - started;
  expect(server.stdout()).not.toContain('listening on');
  expect(delaysIn(server.stderr())).toEqual([100, 200, 400, 800]);
  // Two first starts and four replacements at most: the fourth may already be starting when the fifth failure ends it all.
  const starts = server.stderr().match(/failing at start \(test hook/g)!.length;
  expect(starts).toBeGreaterThanOrEqual(5);
  expect(starts).toBeLessThanOrEqual(6);
  expect(server.stderr()).toContain(GIVE_UP);
  // The third failure waited 100 ms and the fifth 400 ms after the one before them.
  expect(elapsed).toBeGreaterThan(500);
}, 20_000);

it('a worker whose replacements keep failing: back-off 100, 200, 400, 800 ms, then exit 1 with every worker stopped', async () => {
  const failIf = hookFile();
  const server = serve(['--workers', '2'], failIf);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening:\n${server.stderr()}`)), 15_000);
    server.child.stdout!.on('data', () => {
      if (!server.stdout().includes('listening on')) return;
      clearTimeout(timer);
      resolve();
    });
  });
  const port = /127\.0\.0\.1:(\d+)/.exec(server.stdout())![1];
  const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { workers: { pid: number }[] };
  const [victim, survivor] = health.workers.map((w) => w.pid) as [number, number];

  writeFileSync(failIf, '');
  const killed = performance.now();
  process.kill(victim, 'SIGKILL');
  expect(await server.exited).toBe(1);
  const elapsed = performance.now() - killed;

  const stderr = server.stderr();
  expect(stderr).toContain(`rtbench serve: worker ${victim} exited (SIGKILL); starting another`);
  expect(delaysIn(stderr)).toEqual([100, 200, 400, 800]);
  expect(stderr.match(/failing at start \(test hook/g)).toHaveLength(5);
  expect(stderr).toContain(GIVE_UP);
  // The failures follow one another: at least the four back-offs passed.
  expect(elapsed).toBeGreaterThanOrEqual(1500);
  expect(() => process.kill(survivor, 0)).toThrow();
}, 30_000);
