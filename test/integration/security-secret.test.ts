/**
 * The server secret (issue 9, point 13): compared in constant time (a
 * behaviour test: the right secret passes, a prefix, an extension and a
 * same-length guess fail), and under --workers it reaches the workers over
 * IPC, never through their environment or command line, whether
 * `rtbench serve` got it as --secret or as $RTBENCH_SECRET.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { isAuthorized } from '../../src/servers/http-util.js';
import { type RunningServer, startCli } from '../helpers/server.js';

const SECRET = 'sw0rdfish-4f1c9e2a';

function workerPids(primaryPid: number): number[] {
  const children = readFileSync(`/proc/${primaryPid}/task/${primaryPid}/children`, 'utf8').trim();
  return children === '' ? [] : children.split(/\s+/).map(Number);
}

async function waitForWorkers(primaryPid: number, count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pids = workerPids(primaryPid);
    if (pids.length === count) return pids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`expected ${count} workers under ${primaryPid}, found ${workerPids(primaryPid).join(' ')}`);
}

async function publishWith(url: string, authorization: string | undefined): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  // A fresh connection each time, which the kernel may hand to any worker.
  const dispatcher = new Agent();
  try {
    const response = await request(`${url}/publish`, { method: 'POST', headers, body: '{"channel":"secret-test","data":1}', dispatcher });
    await response.body.dump();
    return response.statusCode;
  } finally {
    await dispatcher.close();
  }
}

describe('the secret comparison', () => {
  it.each([
    [`Bearer ${SECRET}`, true],
    [`Bearer ${SECRET.slice(0, -1)}`, false],
    [`Bearer ${SECRET}x`, false],
    [`Bearer ${SECRET.slice(0, -1)}X`, false],
    [`bearer ${SECRET}`, false],
    [SECRET, false],
    ['Bearer ', false],
    [undefined, false],
  ])('%s -> %s', (authorization, expected) => {
    expect(isAuthorized(authorization, SECRET)).toBe(expected);
  });

  it('lets everything through when the server has no secret', () => {
    expect(isAuthorized(undefined, undefined)).toBe(true);
  });
});

describe('under --workers the secret travels over IPC, not in the environment', () => {
  let server: (RunningServer & { child: { pid?: number } }) | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it.each([
    ['--secret', () => startCli(['--workers', '2', '--secret', SECRET])],
    [
      '$RTBENCH_SECRET',
      async () => {
        // spawn copies the environment at once; the variable is put back right after.
        process.env.RTBENCH_SECRET = SECRET;
        try {
          return await startCli(['--workers', '2']);
        } finally {
          delete process.env.RTBENCH_SECRET;
        }
      },
    ],
  ])('given as %s: workers enforce it, and no worker environment or command line holds it', async (_how, start) => {
    server = await start();
    const pids = await waitForWorkers(server.child.pid!, 2);
    for (const pid of pids) {
      const environ = readFileSync(`/proc/${pid}/environ`);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`);
      expect(environ.includes(SECRET)).toBe(false);
      expect(environ.includes('RTBENCH_SECRET=')).toBe(false);
      expect(cmdline.includes(SECRET)).toBe(false);
      // The worker is a real worker: its environment has the cluster's config.
      expect(environ.includes('RTBENCH_SERVER_CONFIG=')).toBe(true);
    }
    // Several connections so that both workers answer: each knows the secret.
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await publishWith(server.url, `Bearer ${SECRET}`));
    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(await publishWith(server.url, 'Bearer wrong')).toBe(401);
    expect(await publishWith(server.url, undefined)).toBe(401);
  });
});
