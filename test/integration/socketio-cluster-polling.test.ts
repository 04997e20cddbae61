/**
 * Polling over connections the server closes: socket.io 4 in cluster mode
 * behind @socket.io/sticky (bench/socketio-cluster/server.mjs) answers every
 * HTTP request with `Connection: close`. The polling-first adapter of
 * examples/socketio-chat/ opens its sessions there, upgrades them and gets
 * every update, each new polling request on a new connection (keep-alive-link.ts).
 * A raw server shows the other side: a connection reset with a poll in
 * flight still ends the session.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapter/types.js';
import { adapterContext } from '../../src/clients/adapter/adapter-context.js';
import { AdapterSocketIoClient } from '../../src/clients/adapter/adapter-socketio-client.js';
import { ByteProxy } from '../helpers/byte-proxy.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { checkBytes, EXAMPLES, type ExampleApp, runCli, startExample } from '../helpers/example-app.js';
import { waitUntil } from '../helpers/fallback-clients.js';

const CHAT_ADAPTER = path.join(EXAMPLES, 'socketio-chat/adapter.mjs');
let app: ExampleApp;
let proxy: ByteProxy;

beforeAll(async () => {
  app = await startExample('../bench/socketio-cluster/server.mjs', { env: { WORKERS: '2' }, stdin: 'pipe' });
  proxy = await new ByteProxy(app.port).start();
}, 20_000);

afterAll(async () => {
  await proxy?.close();
  await app?.stop();
});

describe('socket.io cluster behind @socket.io/sticky (Connection: close on every response)', () => {
  it('one session: opens over polling on fresh connections, then upgrades to WebSocket', async () => {
    const chat = (await import(CHAT_ADAPTER)) as { default: Adapter };
    const client = new AdapterSocketIoClient(
      adapterContext(chat.default, 'r1', 64),
      clientEnvironment(),
      { host: '127.0.0.1', port: app.port },
      'ch0',
    );
    try {
      await client.open();
      await waitUntil(() => client.transport === 'websocket', 'the upgrade');
      // The handshake's connection was closed by the server: the join's POST and the polls went on new ones.
      expect(client.connectionsReopened).toBeGreaterThanOrEqual(2);
      expect(client.reconnectCount).toBe(0);
    } finally {
      client.close();
    }
  });

  it('the polling-first chat adapter through the CLI: every update delivered, 0 lost, bytes as the proxy counted', async () => {
    const before = proxy.subscriberBytes();
    const run = await runCli([
      '--target',
      `http://127.0.0.1:${proxy.port}`,
      '--adapter',
      CHAT_ADAPTER,
      '--clients',
      '20',
      '--channels',
      '4',
      '--rate',
      '5',
      '--duration',
      '600ms',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const t = run.result!.transports.fallback!;
    expect(t.clients.open).toBe(20);
    expect(t.updates.expected).toBeGreaterThan(0);
    expect([t.updates.delivered, t.updates.lost, t.updates.duplicated]).toEqual([t.updates.expected, 0, 0]);
    const after = proxy.subscriberBytes();
    const probe = checkBytes(run.result!, 'fallback');
    expect(t.bytes.down).toBe(after.down - before.down - probe.down);
    expect(t.bytes.up).toBe(after.up - before.up - probe.up);
  }, 45_000);
});

const OPEN = '0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';

function closingAnswer(body: string): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

describe('a raw Engine.IO polling server', () => {
  it('a connection reset with a poll in flight ends the session (after the handshake connection closed cleanly)', async () => {
    const requests: string[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', (data) => {
        const line = data.toString().split('\r\n')[0]!;
        requests.push(line);
        if (!line.includes('sid=')) socket.end(closingAnswer(OPEN));
        else if (line.startsWith('POST')) socket.end(closingAnswer('ok'));
        else setTimeout(() => socket.resetAndDestroy(), 50); // the poll, held, then reset
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const adapter: Adapter = { name: 'raw', socketio: { transports: ['polling'] }, publish: { http: () => ({ path: '/' }) } };
    const client = new AdapterSocketIoClient(adapterContext(adapter, 'r1', 64), clientEnvironment(), { host: '127.0.0.1', port }, 'ch0');
    try {
      await expect(client.open()).rejects.toThrow(/ECONNRESET/);
      // The handshake's GET, then the poll on a second connection (the POST's connection is its own link's first).
      expect(requests.filter((line) => line.startsWith('GET'))).toHaveLength(2);
      expect(client.connectionsReopened).toBe(1);
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
