/**
 * The example apps of examples/ as child processes (PORT=0; the port is read
 * from the line they print), and `rtbench run --target ... --adapter ...`
 * through the real CLI, with its result read back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../src/result/schema.js';
import { CLI } from './server.js';

export const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

export interface ExampleApp {
  port: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `env` adds to the app's environment; `stdin: 'pipe'` holds its stdin open (bench/socketio-cluster/ exits when it ends). */
export async function startExample(script: string, options: { env?: Record<string, string>; stdin?: 'pipe' } = {}): Promise<ExampleApp> {
  const child = spawn(process.execPath, [path.join(EXAMPLES, script)], {
    env: { ...process.env, PORT: '0', ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  return { port, url: `http://127.0.0.1:${port}`, child, stop };
}

export interface CliRun {
  code: number | null;
  stderr: string;
  stdout: string;
  result: RunResult | undefined;
}

/** `rtbench run ...args --out <tmp> --report none --quiet`; the result is read from the out folder if one was written. */
export async function runCli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const out = await mkdtemp(path.join(tmpdir(), 'rtbench-adapter-'));
  try {
    const child = spawn(process.execPath, [CLI, 'run', ...args, '--out', out, '--report', 'none', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    const text = await readFile(path.join(out, 'latest.json'), 'utf8').catch(() => undefined);
    return { code, stdout, stderr, result: text ? (JSON.parse(text) as RunResult) : undefined };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The bytes of the adapter check's client, from its event (they crossed the sockets but are not in the figures). */
export function checkBytes(result: RunResult, transport: string): { down: number; up: number } {
  const event = result.events?.find((e) => e.kind === 'adapter-checked' && e.transport === transport);
  const match = event && /its (\d+) bytes down and (\d+) up/.exec(event.message);
  if (!match) throw new Error(`no adapter-checked event for ${transport}`);
  return { down: Number(match[1]), up: Number(match[2]) };
}
