/**
 * The first open retried as socket.io-client's Manager retries it: a real
 * socket.io 4 server (port 0) that loses a client's first session(s) the
 * ways seen behind @socket.io/sticky at 20,000 clients (the session's next
 * request answered `400 Session ID unknown`, the session closed before its
 * namespace CONNECT was answered, a handshake never answered), and the
 * client opens on a later attempt, a new session, with the retries counted
 * apart from reconnects. A server that always drops the session still ends
 * with the client failed, and a refusal from the Socket.IO layer (a
 * middleware's CONNECT_ERROR) fails at once, unretried.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapter/types.js';
import { adapterContext } from '../../src/clients/adapter/adapter-context.js';
import { AdapterSocketIoClient } from '../../src/clients/adapter/adapter-socketio-client.js';
import { FallbackClient } from '../../src/clients/fallback-client.js';
import type { ClientSettings } from '../../src/clients/load-client.js';
import { Fleet } from '../../src/harness/fleet.js';
import { CLIENT_SETTINGS, clientEnvironment } from '../helpers/client-env.js';

/** Reconnects on (so the first open retries), a short backoff, three retries at most. */
const RETRYING: Partial<ClientSettings> = { reconnect: true, reconnectBaseMs: 10, reconnectMaxMs: 40, reconnectAttempts: 3 };
const CHAT = 'examples/socketio-chat/adapter.mjs';

interface Misbehaviour {
  /** The first this many sessions: their next polling request is answered as a worker that does not hold them answers it. */
  unknownSid?: number;
  /** The first this many sessions are closed by the server before it reads their CONNECT. */
  closeSessions?: number;
  /** The first this many handshake requests are never answered. */
  holdHandshakes?: number;
  /** Every CONNECT is refused by a middleware (a CONNECT_ERROR). */
  refuse?: boolean;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A socket.io 4 server with the chat's `join` and the fallback's `subscribe`, both acknowledged. */
async function startServer(misbehave: Misbehaviour): Promise<{ port: number; handshakes: () => number }> {
  const httpServer = http.createServer();
  const io = new Server(httpServer);
  let handshakes = 0;
  let closed = 0;
  const unknown = new Set<string>();
  io.engine.on('connection', (socket: { id: string; close(): void }) => {
    if (handshakes <= (misbehave.unknownSid ?? 0)) unknown.add(socket.id);
    if (closed++ < (misbehave.closeSessions ?? 0)) socket.close();
  });
  if (misbehave.refuse) io.use((_socket, next) => next(new Error('not allowed')));
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack: (answer: unknown) => void) => ack({ joined: socket.join(room) ?? room }));
    socket.on('subscribe', (request: { channel: string }, ack: (answer: unknown) => void) => ack({ channel: request.channel, seq: 0 }));
  });
  // In front of engine.io's own request listener: the misbehaviours that happen before it.
  const engine = httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  httpServer.removeAllListeners('request');
  const held: ServerResponse[] = [];
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const sid = /[?&]sid=([^&]+)/.exec(req.url ?? '')?.[1];
    if (!sid) handshakes++;
    if (!sid && handshakes <= (misbehave.holdHandshakes ?? 0)) {
      held.push(res);
      return;
    }
    if (sid && unknown.has(sid)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":1,"message":"Session ID unknown"}');
      return;
    }
    for (const listener of engine) listener.call(httpServer, req, res);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  stops.push(async () => {
    for (const res of held) res.destroy();
    await io.close();
  });
  return { port: (httpServer.address() as AddressInfo).port, handshakes: () => handshakes };
}

async function chatAdapter(transports: ('polling' | 'websocket')[]): Promise<Adapter> {
  const chat = ((await import(path.resolve(CHAT))) as { default: Adapter }).default;
  return { ...chat, socketio: { ...chat.socketio!, transports } };
}

/** A client's environment that counts its open retries and keeps the errors it reports. */
function countingEnv(settings: Partial<ClientSettings>) {
  const counts = { openRetries: 0, errors: [] as string[] };
  const env = clientEnvironment(settings, { onError: (error) => counts.errors.push(error.message) });
  env.onOpenRetry = () => counts.openRetries++;
  return { env, counts };
}

describe('the first open retried on a new session, as socket.io-client does', () => {
  it('polling first: the first two sessions answered `400 Session ID unknown` (the sticky race); opens on the third', async () => {
    const server = await startServer({ unknownSid: 2 });
    const { env, counts } = countingEnv(RETRYING);
    const client = new AdapterSocketIoClient(
      adapterContext(await chatAdapter(['polling', 'websocket']), 'r1', 64),
      env,
      { host: '127.0.0.1', port: server.port },
      'ch0',
    );
    try {
      await client.open();
      expect(client.state).toBe('open');
      expect(client.openRetries).toBe(2);
      expect(counts.openRetries).toBe(2);
      expect(client.reconnectCount).toBe(0);
      expect(server.handshakes()).toBe(3);
      expect(counts.errors).toEqual(
        Array(2).fill('open attempt failed, retried: polling answered 400: {"code":1,"message":"Session ID unknown"}'),
      );
    } finally {
      client.close();
    }
  });

  it("WebSocket only, and rtbench's fallback client: the first session closed by the server before CONNECT; opens on the second", async () => {
    const servers = await Promise.all([startServer({ closeSessions: 1 }), startServer({ closeSessions: 1 })]);
    const target = (i: number) => ({ host: '127.0.0.1', port: servers[i]!.port });
    const ws = countingEnv(RETRYING);
    const fallback = countingEnv(RETRYING);
    const clients = [
      new AdapterSocketIoClient(adapterContext(await chatAdapter(['websocket']), 'r1', 64), ws.env, target(0), 'ch0'),
      new FallbackClient(fallback.env, target(1), 'ch0'),
    ];
    try {
      await Promise.all(clients.map((client) => client.open()));
      for (const client of clients) {
        expect(client.openRetries).toBe(1);
        expect(client.reconnectCount).toBe(0);
      }
      expect([ws.counts.errors, fallback.counts.errors]).toEqual([
        ['open attempt failed, retried: session closed by the server'],
        ['open attempt failed, retried: session closed by the server'],
      ]);
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('a handshake never answered counts as failed after the attempt timeout, and the next attempt opens', async () => {
    const server = await startServer({ holdHandshakes: 1 });
    const { env, counts } = countingEnv({ ...RETRYING, openAttemptTimeoutMs: 300 });
    const client = new FallbackClient(env, { host: '127.0.0.1', port: server.port }, 'ch0');
    try {
      await client.open();
      expect(client.openRetries).toBe(1);
      expect(counts.errors).toEqual(['open attempt failed, retried: open attempt not answered within 300 ms']);
    } finally {
      client.close();
    }
  });

  it('a server that drops every session: the client fails after its attempts, and a fleet counts it failed', async () => {
    const server = await startServer({ closeSessions: Number.POSITIVE_INFINITY });
    const { env, counts } = countingEnv(RETRYING);
    const client = new AdapterSocketIoClient(
      adapterContext(await chatAdapter(['websocket']), 'r1', 64),
      env,
      { host: '127.0.0.1', port: server.port },
      'ch0',
    );
    await expect(client.open()).rejects.toThrow('open failed after 4 attempts: session closed by the server');
    expect(client.state).toBe('failed');
    expect(counts.openRetries).toBe(3);

    const fleet = new Fleet({
      transport: 'fallback',
      firstIndex: 0,
      count: 2,
      channels: ['ch0'],
      targets: [{ host: '127.0.0.1', port: server.port }],
      rampPerSec: 100,
      rampConcurrency: 2,
      settings: { ...CLIENT_SETTINGS, ...RETRYING },
      adapter: { module: CHAT, run: 'r1', payloadBytes: 64 },
    });
    await fleet.ramp();
    const final = await fleet.finish({});
    expect(final).toMatchObject({ open: 0, failed: 2, openRetries: 6, reconnects: 0 });
    expect(final.errors).toContain('2 x open failed after 4 attempts: session closed by the server');
  });

  it('the ramp deadline ends the retries: a client waiting for its next attempt fails at once', async () => {
    const server = await startServer({ closeSessions: Number.POSITIVE_INFINITY });
    const fleet = new Fleet({
      transport: 'fallback',
      firstIndex: 0,
      count: 1,
      channels: ['ch0'],
      targets: [{ host: '127.0.0.1', port: server.port }],
      rampPerSec: 100,
      rampConcurrency: 1,
      // A backoff far longer than the test: only stopOpening can end the wait.
      settings: { ...CLIENT_SETTINGS, ...RETRYING, reconnectBaseMs: 60_000, reconnectMaxMs: 60_000 },
      adapter: { module: CHAT, run: 'r1', payloadBytes: 64 },
    });
    const ramped = fleet.ramp();
    while (fleet.errors.size === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    fleet.endRamp();
    await ramped;
    expect(fleet.counters()).toMatchObject({ open: 0, failed: 1, connecting: 0, openRetries: 0 });
    expect([...fleet.errors.keys()]).toContain('session closed by the server');
    await fleet.finish({});
  });

  it('a CONNECT refused by the app (CONNECT_ERROR) is not retried; nor is anything with reconnects off', async () => {
    const refusing = await startServer({ refuse: true });
    const { env, counts } = countingEnv(RETRYING);
    const client = new AdapterSocketIoClient(
      adapterContext(await chatAdapter(['websocket']), 'r1', 64),
      env,
      { host: '127.0.0.1', port: refusing.port },
      'ch0',
    );
    await expect(client.open()).rejects.toThrow('subscribe: CONNECT to namespace / refused: {"message":"not allowed"}');
    expect(counts.openRetries).toBe(0);

    const dropping = await startServer({ closeSessions: 1 });
    const off = countingEnv({ ...RETRYING, reconnect: false });
    const once = new FallbackClient(off.env, { host: '127.0.0.1', port: dropping.port }, 'ch0');
    await expect(once.open()).rejects.toThrow(/^session closed by the server$/);
    expect(off.counts.openRetries).toBe(0);
  });
});
