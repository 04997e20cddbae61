/**
 * Starting the server under test for integration tests: in this process
 * (createApp on port 0) or as the real CLI with --workers (a child process
 * whose "listening on" line gives the port). Either way `stop()` ends
 * everything it started, and afterEach/afterAll must call it.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createApp, listen } from '../../src/servers/app.js';
import type { ServerConfig } from '../../src/servers/config.js';
import { startServerProcess } from '../../dist/harness/server-process.js';

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

/** Runs `rtbench serve --port 0 ...args` from dist/ (as the harness does) and waits until it listens. */
export async function startCli(args: string[], timeoutMs = 20_000): Promise<RunningServer & { child: ChildProcess }> {
  const server = await startServerProcess(['--host', '127.0.0.1', ...args], { timeoutMs });
  return { url: `http://127.0.0.1:${server.port}`, port: server.port, child: server.child, stop: server.stop };
}

export interface CliOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `rtbench ...args` to its end, without blocking this process: several such
 * commands run side by side (each spends most of its time starting node),
 * where spawnSync would run them one after the other. Killed at the timeout.
 */
export function cliOutcome(args: string[], timeoutMs = 20_000): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ status: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}
