/**
 * The HTTP polling clients against a raw server that ends its connections
 * after each response, as HTTP/1.1 allows: by saying `Connection: close`,
 * or by closing a keep-alive connection once it is idle. Every next
 * request goes on a new connection (keep-alive-link.ts), and none of that
 * is a lost connection: no reconnect, no error, the client stays open.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapter/types.js';
import { adapterContext } from '../../src/clients/adapter/adapter-context.js';
import { AdapterPollClient } from '../../src/clients/adapter/adapter-poll-client.js';
import type { ClientEnvironment, LoadClient } from '../../src/clients/load-client.js';
import { LongPollClient } from '../../src/clients/long-poll-client.js';
import { ShortPollClient } from '../../src/clients/short-poll-client.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { waitUntil } from '../helpers/fallback-clients.js';

type Mode = 'Connection: close' | 'idle close';
const BODY = '{"cursor":0,"messages":[]}';
const ADAPTER: Adapter = { name: 'raw', poll: { path: '/p' }, longPoll: { path: '/lp' }, publish: { http: () => ({ path: '/' }) } };

/** Answers every request once (long polls after 20 ms), then ends the connection as `mode` says. */
async function closingServer(mode: Mode) {
  const seen = { connections: 0, requests: 0, requestsOnReusedConnections: 0 };
  const server = net.createServer((socket) => {
    seen.connections++;
    let answered = 0;
    socket.on('error', () => {});
    socket.on('data', () => {
      seen.requests++;
      if (answered++ > 0) seen.requestsOnReusedConnections++;
      const header = mode === 'Connection: close' ? 'Connection: close\r\n' : '';
      const answer = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n${header}\r\n${BODY}`;
      setTimeout(() => {
        if (mode === 'Connection: close') socket.end(answer);
        else {
          socket.write(answer);
          // An idle keep-alive connection closed by the server (only idle: never with a request in it).
          const count = seen.requests;
          setTimeout(() => seen.requests === count && socket.end(), 10);
        }
      }, 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, port: (server.address() as net.AddressInfo).port };
}

const CLIENTS: [string, (env: ClientEnvironment, port: number) => LoadClient][] = [
  ['short-poll', (env, port) => new ShortPollClient(env, { host: '127.0.0.1', port }, 'ch0')],
  ['long-poll', (env, port) => new LongPollClient(env, { host: '127.0.0.1', port }, 'ch0')],
  ['adapter poll', (env, port) => new AdapterPollClient(adapterContext(ADAPTER, 'r1', 64), false, env, { host: '127.0.0.1', port }, 'ch0')],
  [
    'adapter long poll',
    (env, port) => new AdapterPollClient(adapterContext(ADAPTER, 'r1', 64), true, env, { host: '127.0.0.1', port }, 'ch0'),
  ],
];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

// A long poll is never idle (the next request follows each answer at once), so only the short polls meet an idle close.
const CASES = [
  ...CLIENTS.map(([name, create]) => ['Connection: close', name, create] as const),
  ...CLIENTS.filter(([name]) => !name.includes('long')).map(([name, create]) => ['idle close', name, create] as const),
];

describe('a server that ends each connection after its response', () => {
  it.each(CASES)('%s, %s: every next request on a new connection, no reconnect', async (mode, _name, create) => {
    const { server, seen, port } = await closingServer(mode);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const errors: Error[] = [];
    const env = clientEnvironment(
      { pollIntervalMs: 60 },
      { onReconnect: () => errors.push(new Error('reconnect')), onError: (e) => errors.push(e) },
    );
    const client = create(env, port);
    cleanups.push(() => client.close());
    await client.open();
    await waitUntil(() => seen.requests >= 5, '5 requests', 5000);
    expect(errors).toEqual([]);
    expect(client.state).toBe('open');
    expect(client.reconnectCount).toBe(0);
    expect(seen.requestsOnReusedConnections).toBe(0);
    expect(client.connectionsReopened).toBeGreaterThanOrEqual(4);
    expect(seen.connections).toBeGreaterThanOrEqual(client.connectionsReopened + 1);
  });
});

/**
 * Answers the first request on each connection; a second request on the same connection meets the server's
 * idle close as it arrives (`crossed`: ended with no answer) or, with `reset`, a reset.
 */
async function crossingServer(how: 'crossed' | 'reset') {
  const seen = { requests: 0, unanswered: 0 };
  const server = net.createServer((socket) => {
    let requests = 0;
    socket.on('error', () => {});
    socket.on('data', () => {
      seen.requests++;
      if (requests++ === 0) {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`);
        return;
      }
      seen.unanswered++;
      if (how === 'crossed') socket.end();
      else socket.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { seen, port: (server.address() as net.AddressInfo).port };
}

describe("a server's idle close crossing the next short poll", () => {
  it('ended cleanly with no answer: the poll goes again on a new connection, no reconnect', async () => {
    const { seen, port } = await crossingServer('crossed');
    const errors: Error[] = [];
    const env = clientEnvironment(
      { pollIntervalMs: 30 },
      { onReconnect: () => errors.push(new Error('reconnect')), onError: (e) => errors.push(e) },
    );
    const client = new ShortPollClient(env, { host: '127.0.0.1', port }, 'ch0');
    cleanups.push(() => client.close());
    await client.open();
    await waitUntil(() => seen.unanswered >= 3 && client.polls >= 4, '3 crossed polls', 5000);
    expect(errors).toEqual([]);
    expect(client.state).toBe('open');
    expect(client.reconnectCount).toBe(0);
  });

  it('a reset instead: a lost connection, counted as a reconnect', async () => {
    const { seen, port } = await crossingServer('reset');
    const env = clientEnvironment(
      { pollIntervalMs: 30, reconnect: true, reconnectBaseMs: 10, reconnectMaxMs: 20 },
      { onReconnect: () => {}, onError: () => {} },
    );
    const client = new ShortPollClient(env, { host: '127.0.0.1', port }, 'ch0');
    cleanups.push(() => client.close());
    await client.open();
    await waitUntil(() => seen.unanswered >= 1 && client.reconnectCount >= 1, 'the reset to be a loss', 5000);
  });
});
