/**
 * The socket.io 4 chat example (examples/socketio-chat/) driven through its
 * adapter by the real CLI, over both ways the app allows a client in:
 * polling first with the upgrade, and WebSocket only. Every update owed is
 * delivered, none lost, and the bytes reported are the bytes a TCP proxy in
 * front of the app counted for the subscribers' connections (less the
 * adapter check's client, which the run reports apart).
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteProxy } from '../helpers/byte-proxy.js';
import { checkBytes, EXAMPLES, type ExampleApp, runCli, startExample } from '../helpers/example-app.js';

let app: ExampleApp;
/** One proxy per way in, so the two runs can go side by side and each count only its own sockets. */
let proxies: ByteProxy[] = [];

beforeAll(async () => {
  app = await startExample('socketio-chat/server.mjs');
  proxies = await Promise.all([new ByteProxy(app.port).start(), new ByteProxy(app.port).start()]);
}, 20_000);

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await app?.stop();
});

const LOAD = ['--clients', '20', '--channels', '4', '--rate', '5', '--duration', '600ms'];

async function runThrough(adapter: string, proxy: ByteProxy) {
  const before = proxy.subscriberBytes();
  const run = await runCli(['--target', `http://127.0.0.1:${proxy.port}`, '--adapter', adapter, ...LOAD]);
  expect(run.code, run.stderr).toBe(0);
  const result = run.result!;
  const t = result.transports.fallback!;
  expect(t.clients.open).toBe(20);
  expect(t.updates.expected).toBeGreaterThan(0);
  expect(t.updates.delivered).toBe(t.updates.expected);
  expect(t.updates.lost).toBe(0);
  expect(t.updates.duplicated).toBe(0);
  const after = proxy.subscriberBytes();
  const probe = checkBytes(result, 'fallback');
  expect(t.bytes.down).toBe(after.down - before.down - probe.down);
  expect(t.bytes.up).toBe(after.up - before.up - probe.up);
  return result;
}

describe('socket.io chat example through its adapter', () => {
  it('polling first with the upgrade, and WebSocket only (side by side)', async () => {
    const file = path.join(EXAMPLES, 'socketio-chat/.adapter-ws-only.test.mjs');
    await writeFile(
      file,
      "import chat from './adapter.mjs';\nexport default { ...chat, socketio: { ...chat.socketio, transports: ['websocket'] } };\n",
    );
    try {
      await Promise.all([runThrough(path.join(EXAMPLES, 'socketio-chat/adapter.mjs'), proxies[0]!), runThrough(file, proxies[1]!)]);
    } finally {
      await rm(file, { force: true });
    }
  }, 45_000);
});
