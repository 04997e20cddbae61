/**
 * The embedded server under test: `rtbench serve` as a child process (with
 * its own workers), started on a free port and always stopped by its owner.
 * What it writes to stderr after start-up (a worker restarted, a limit hit)
 * and its exit are facts of the run, handed to whoever listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  port: number;
  pid: number;
  child: ChildProcess;
  /** Set once the process has exited: how (code or signal). */
  readonly exited: string | undefined;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  timeoutMs?: number;
  /** Each line the server writes to stderr once it listens. */
  onStderrLine?: (line: string) => void;
  /** The server exited without being asked to stop. */
  onUnexpectedExit?: (how: string) => void;
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
/** How long a server may take to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 8000;

export async function startServerProcess(args: string[], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    // stdin is a pipe the server may watch (--exit-with-stdin): it closes when this process ends, however it ends.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let listening = false;
  let stopping = false;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
    if (listening && !stopping) options.onUnexpectedExit?.(exited);
  });
  child.stderr!.setEncoding('utf8');
  let partial = '';
  child.stderr!.on('data', (chunk: string) => {
    if (!listening) {
      output += chunk;
      return;
    }
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.trim()) options.onStderrLine?.(line);
  });
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await done;
    clearTimeout(timer);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening on http:\/\/[^\s]+:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${signal ?? code} before listening:\n${output}`));
      });
    });
    listening = true;
    child.stdout!.resume();
    return {
      port,
      pid: child.pid!,
      child,
      get exited() {
        return exited;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
