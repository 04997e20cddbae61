/**
 * A failed run never looks like a pass. `rtbench run` as CI runs it, with
 * the failures a person would try: nothing listening, the server killed in
 * the middle (embedded and --target), a client process killed, Ctrl-C, and
 * the harness itself killed with -9. Each must end with the documented exit
 * code and a result that says what happened, and leave no process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descendantsOf } from '../../src/harness/process-stats.js';
import type { RunResult } from '../../src/result/schema.js';
import { CLI, type RunningServer, startCli } from '../helpers/server.js';

interface Run {
  child: ChildProcess;
  out: string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  /** Resolves once stderr has a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  result(): RunResult;
}

const started: ChildProcess[] = [];
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const child of started.splice(0)) {
    for (const pid of [...descendantsOf(child.pid!), child.pid!]) kill(pid, 'SIGKILL');
  }
  for (const server of servers.splice(0)) await server.stop();
});

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function startRun(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const out = mkdtempSync(path.join(tmpdir(), 'rtbench-fail-'));
  const child = spawn(process.execPath, [CLI, 'run', '--out', out, '--report', 'md,junit', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  started.push(child);
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stdout!.resume();
  const t0 = performance.now();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, afterMs: performance.now() - t0 })),
  );
  return {
    child,
    out,
    stderr: () => stderr,
    exit,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    result: () => JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as RunResult,
  };
}

const SMALL = ['--transports', 'ws', '--clients', '20', '--channels', '2', '--rate', '5'];

describe('rtbench run when things go wrong', () => {
  it('a target that does not answer: exit 98 within seconds, every client failed, the reason in the result', async () => {
    const run = startRun([...SMALL, '--duration', '5s', '--target', 'http://127.0.0.1:1', '--threshold', 'lost==0']);
    const { code, afterMs } = await run.exit;
    expect(code, run.stderr()).toBe(98);
    expect(afterMs).toBeLessThan(10_000);
    const result = run.result();
    expect(result.status).toBe('invalid');
    expect(result.events!.map((e) => e.kind)).toContain('target-unreachable');
    expect(result.transports.ws!.clients).toMatchObject({ target: 20, open: 0, failed: 20 });
    expect(result.problems!.join('\n')).toContain('the target did not answer');
    // The gate was still evaluated and reported, and cannot make the run pass.
    expect(result.gates.map((g) => g.expr)).toEqual(['lost==0']);
    expect(readFileSync(path.join(run.out, readdirJunit(run.out)), 'utf8')).toContain('name="run is valid"');
  }, 30_000);

  it('an embedded server that never starts: exit 98 with a result that says so, not a crash of the run', async () => {
    const failFlag = path.join(mkdtempSync(path.join(tmpdir(), 'rtbench-flag-')), 'fail');
    writeFileSync(failFlag, '');
    const run = startRun([...SMALL, '--duration', '2s', '--workers', '2'], { ...process.env, RTBENCH_TEST_FAIL_WORKER_IF: failFlag });
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(98);
    const result = run.result();
    expect(result.events!.map((e) => e.kind)).toContain('server-start-failed');
    expect(result.problems!.join('\n')).toContain('the embedded server did not start');
  }, 60_000);

  it('the embedded server killed mid-run: exit 98, not 0, and the steady phase is cut short', async () => {
    const run = startRun([...SMALL, '--duration', '30s', '--threshold', 'lost==0']);
    await run.waitFor(/\[ws\] steady/);
    const server = descendantsOf(run.child.pid!).find((pid) => / serve /.test(commandOf(pid)));
    expect(server).toBeDefined();
    kill(server!, 'SIGKILL');
    const { code, afterMs } = await run.exit;
    expect(code, run.stderr()).toBe(98);
    expect(afterMs).toBeLessThan(25_000);
    const result = run.result();
    expect(result.status).toBe('invalid');
    expect(result.events!.find((e) => e.kind === 'server-exit')?.message).toContain('SIGKILL');
    expect(run.stderr()).toContain('server-exit');
  }, 60_000);

  it('a --target killed mid-run: exit 98 (target down, publishes unacknowledged)', async () => {
    const server = await startCli([]);
    servers.push(server);
    const run = startRun([...SMALL, '--duration', '30s', '--target', server.url]);
    await run.waitFor(/\[ws\] steady/);
    kill(server.child.pid!, 'SIGKILL');
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(98);
    const kinds = run.result().events!.map((e) => e.kind);
    expect(kinds).toContain('target-down');
  }, 60_000);

  it('a client process killed: noticed at once, its clients dropped, exit 98', async () => {
    // Killed as the steady phase starts: 5 s of it leave the 3 s bound inside the phase.
    const run = startRun([...SMALL, '--duration', '5s']);
    await run.waitFor(/\[ws\] steady/);
    const fleet = descendantsOf(run.child.pid!).find((pid) => /fleet-main/.test(commandOf(pid)));
    expect(fleet).toBeDefined();
    const killedAt = performance.now();
    kill(fleet!, 'SIGKILL');
    await run.waitFor(/client-process-exit/, 5000);
    expect(performance.now() - killedAt).toBeLessThan(3000);
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(98);
    const result = run.result();
    expect(result.transports.ws!.clients.dropped).toBe(20);
    expect(result.problems!.join('\n')).toContain('a client process died');
  }, 60_000);

  it('Ctrl-C: stops within 2 s with a partial result marked aborted, exit 130, nothing left running', async () => {
    const run = startRun([...SMALL, '--duration', '60s']);
    await run.waitFor(/\[ws\] steady/);
    const tree = descendantsOf(run.child.pid!);
    const t0 = performance.now();
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(performance.now() - t0).toBeLessThan(2500);
    expect(code, run.stderr()).toBe(130);
    const result = run.result();
    expect(result.status).toBe('aborted');
    expect(result.transports.ws!.clients.target).toBe(20);
    expect(tree.filter(alive)).toEqual([]);
  }, 60_000);

  it('the harness killed with -9: the embedded server and the client processes die with it', async () => {
    const run = startRun([...SMALL, '--duration', '60s']);
    await run.waitFor(/\[ws\] steady/);
    const tree = descendantsOf(run.child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    run.child.kill('SIGKILL');
    await run.exit;
    const deadline = performance.now() + 5000;
    while (tree.some(alive) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tree.filter(alive).map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
  }, 60_000);
});

function readdirJunit(dir: string): string {
  return readdirSync(dir).find((name) => name.endsWith('.junit.xml'))!;
}
