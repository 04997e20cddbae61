/**
 * Load agents and runs as the CLI starts them, for tests: `rtbench agent`
 * processes (waited for until they wait for work) and `rtbench run`
 * processes whose stderr can be waited on and whose result is read back.
 * Every process started here is ended by stopAll(), with its descendants
 * (an agent's client processes), also when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { descendantsOf } from '../../src/harness/process-stats.js';
import type { RunResult } from '../../src/result/schema.js';
import { CLI } from './server.js';

export interface CliProcess {
  child: ChildProcess;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export interface CliRun extends CliProcess {
  out: string;
  result(): RunResult;
}

const started: ChildProcess[] = [];

export function startCliProcess(args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
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
  };
}

/** `rtbench run ...args` writing into a fresh folder. */
export function startRun(args: string[]): CliRun {
  const out = mkdtempSync(path.join(tmpdir(), 'rtbench-agents-'));
  const run = startCliProcess(['run', '--out', out, '--report', 'none', ...args]);
  return { ...run, out, result: () => JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as RunResult };
}

/** `rtbench agent` processes, one per name, each waiting for work when this resolves. */
export async function startAgents(coordinator: string, names: string[], extra: string[] = []): Promise<CliProcess[]> {
  const agents = names.map((name) => startCliProcess(['agent', '--coordinator', coordinator, '--name', name, ...extra]));
  await Promise.all(agents.map((agent) => agent.waitFor(/waiting for work/, 20_000)));
  return agents;
}

/** SIGKILLs every process started here that is still running, and its descendants. */
export function stopAll(): void {
  for (const child of started.splice(0)) {
    for (const pid of [...descendantsOf(child.pid!), child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
