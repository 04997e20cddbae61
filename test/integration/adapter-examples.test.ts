/**
 * The ws, SSE (better-sse) and REST polling examples of examples/, each
 * driven through its adapter by the real CLI against the app as a child
 * process: every update owed is delivered, none lost, and the bytes reported
 * are the bytes a TCP proxy in front of the app counted for the subscribers'
 * connections (less the adapter check's client, which the run reports apart).
 * Then three wrong adapters against the same apps: each run fails fast
 * (exit 98) naming the step that failed, never a run of 0 delivered passed.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteProxy } from '../helpers/byte-proxy.js';
import { checkBytes, EXAMPLES, type ExampleApp, runCli, startExample } from '../helpers/example-app.js';

const APPS = {
  ws: { script: 'ws-rooms/server.mjs', adapter: 'ws-rooms/adapter.mjs' },
  sse: { script: 'sse-better-sse/server.mjs', adapter: 'sse-better-sse/adapter.mjs' },
  'short-poll': { script: 'rest-polling/server.mjs', adapter: 'rest-polling/adapter.mjs' },
} as const;
type AppTransport = keyof typeof APPS;

const apps = new Map<AppTransport, { app: ExampleApp; proxy: ByteProxy }>();
const written: string[] = [];

beforeAll(async () => {
  await Promise.all(
    (Object.keys(APPS) as AppTransport[]).map(async (transport) => {
      const app = await startExample(APPS[transport].script);
      apps.set(transport, { app, proxy: await new ByteProxy(app.port).start() });
    }),
  );
}, 20_000);

afterAll(async () => {
  for (const { app, proxy } of apps.values()) {
    await proxy.close();
    await app.stop();
  }
  await Promise.all(written.map((file) => rm(file, { force: true })));
});

const LOAD = ['--clients', '12', '--channels', '3', '--rate', '5', '--duration', '600ms', '--poll-interval', '200'];

async function runExample(transport: AppTransport) {
  const { proxy } = apps.get(transport)!;
  const before = proxy.subscriberBytes();
  const adapter = path.join(EXAMPLES, APPS[transport].adapter);
  const run = await runCli(['--target', `http://127.0.0.1:${proxy.port}`, '--adapter', adapter, ...LOAD]);
  expect(run.code, run.stderr).toBe(0);
  const t = run.result!.transports[transport]!;
  expect(Object.keys(run.result!.transports)).toEqual([transport]);
  expect(t.clients.open).toBe(12);
  expect(t.updates.expected).toBeGreaterThan(0);
  expect(t.updates.delivered).toBe(t.updates.expected);
  expect(t.updates.lost).toBe(0);
  expect(t.updates.duplicated).toBe(0);
  const after = proxy.subscriberBytes();
  const probe = checkBytes(run.result!, transport);
  expect(t.bytes.down, `${transport} bytes down`).toBe(after.down - before.down - probe.down);
  expect(t.bytes.up, `${transport} bytes up`).toBe(after.up - before.up - probe.up);
}

describe('example apps through their adapters', () => {
  // Three apps, three proxies: the runs are independent, so they run side by side (wall time).
  it('ws-rooms (ws), sse-better-sse (sse), rest-polling (short-poll): all delivered, bytes as the sockets carried them', async () => {
    await Promise.all((Object.keys(APPS) as AppTransport[]).map(runExample));
  }, 45_000);
});

/** A wrong adapter: the example's, with `edit` spread over it, written beside it (so its import works). */
async function wrongAdapter(transport: AppTransport, name: string, edit: string): Promise<string> {
  const file = path.join(EXAMPLES, path.dirname(APPS[transport].adapter), `.wrong-${name}.test.mjs`);
  written.push(file);
  await writeFile(
    file,
    `import base from './adapter.mjs';\nexport default { ...base, check: { subscribeMs: 1000, deliverMs: 1000 }, ${edit} };\n`,
  );
  return file;
}

async function expectFailedStep(transport: AppTransport, adapter: string, step: RegExp) {
  const started = performance.now();
  const run = await runCli(['--target', `http://127.0.0.1:${apps.get(transport)!.proxy.port}`, '--adapter', adapter, ...LOAD]);
  expect(run.code, run.stderr).toBe(98);
  expect(run.stderr).toMatch(step);
  expect(run.result!.status).toBe('invalid');
  expect(run.result!.transports[transport]!.updates.delivered).toBe(0);
  // Failed at the check, before any load: no client process was started.
  expect(run.result!.transports[transport]!.clients.open).toBe(0);
  expect(performance.now() - started).toBeLessThan(15_000);
}

describe('a wrong adapter fails fast, naming the step', () => {
  it('a subscribe the server ignores, a publish that 404s, a marker that never arrives', async () => {
    const ignored = await wrongAdapter(
      'ws',
      'subscribe',
      "ws: { ...base.ws, subscribe: (room) => JSON.stringify({ type: 'enter', room }) }",
    );
    const notFound = await wrongAdapter(
      'short-poll',
      'publish',
      "publish: { http: (room, text) => ({ path: '/room/' + room + '/messages', body: JSON.stringify({ text }) }) }",
    );
    // The app relays `text`; this adapter puts the data in a field the app drops.
    const dropped = await wrongAdapter(
      'ws',
      'marker',
      "publish: { ws: { message: (room, text) => JSON.stringify({ type: 'say', room, body: text }) } }",
    );
    await Promise.all([
      expectFailedStep('ws', ignored, /adapter-check-failed: adapter ws-rooms: subscribe \(ws\): not confirmed within 1 s/),
      expectFailedStep(
        'short-poll',
        notFound,
        /adapter-check-failed: adapter rest-polling: publish: POST \/room\/ch0\/messages answered 404/,
      ),
      expectFailedStep(
        'ws',
        dropped,
        /adapter-check-failed: adapter ws-rooms: deliver \(ws\): \d+ message\(s\) arrived .* none with rtbench's marker/,
      ),
    ]);
  }, 45_000);
});
