/**
 * Starting the server under test for integration tests: in this process
 * (createApp on port 0) or as the real CLI with --workers (a child process
 * whose "listening on" line gives the port). Either way `stop()` ends
 * everything it started, and afterEach/afterAll must call it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createApp, listen } from '../../src/servers/app.js';
import type { ServerConfig } from '../../src/servers/config.js';

export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * A server started before the suite's tests and stopped after them. The
 * object is filled in by beforeAll, so tests read `server.url` as usual.
 */
export function serverForSuite(start: () => Promise<RunningServer>): RunningServer {
  const server = {} as RunningServer;
  beforeAll(async () => {
    Object.assign(server, await start());
  }, 30_000);
  afterAll(async () => {
    await server.stop?.();
  });
  return server;
}

export async function startInProcess(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const app = createApp({ config: { host: '127.0.0.1', port: 0, ...config } });
  const port = await listen(app);
  return { url: `http://127.0.0.1:${port}`, port, stop: () => app.close() };
}

/** Runs `rtbench serve --port 0 ...args` from dist/ and waits until it listens. */
export async function startCli(args: string[], timeoutMs = 20_000): Promise<RunningServer & { child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  }).catch(async (error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
}
