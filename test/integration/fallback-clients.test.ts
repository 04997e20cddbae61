/**
 * The Socket.io-style fallback against the official clients (engine.io-client
 * 6, socket.io-client 4): polling-only, WebSocket-only and upgrading
 * sessions, messages both ways (binary included), acks, server pings, an
 * upgrade in the middle of a steady stream, and --no-websocket; in one
 * process and under `rtbench serve --workers 3`, where a polling session's
 * requests land on any worker.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/servers/hub.js';
import { startCli, startInProcess, type RunningServer } from '../helpers/server.js';
import { EngineClient, IoClient, publishOne, publishStream, range, sleep, waitUntil } from '../helpers/fallback-clients.js';

const PING_INTERVAL_MS = 300;
const PING_TIMEOUT_MS = 1000;
const MESSAGES = 50;

const MODES = [
  {
    mode: 'in-process',
    start: (websocket = true) =>
      startInProcess({ echo: true, pingIntervalMs: PING_INTERVAL_MS, pingTimeoutMs: PING_TIMEOUT_MS, websocket }),
  },
  {
    mode: '--workers 3',
    start: (websocket = true) =>
      startCli([
        '--workers',
        '3',
        '--echo',
        '--ping-interval',
        String(PING_INTERVAL_MS),
        '--ping-timeout',
        String(PING_TIMEOUT_MS),
        ...(websocket ? [] : ['--no-websocket']),
      ]),
  },
];

const SETUPS = [
  { setup: 'polling only', transports: ['polling'], upgrade: false, final: 'polling' },
  { setup: 'WebSocket only', transports: ['websocket'], upgrade: false, final: 'websocket' },
  { setup: 'polling, then upgrade', transports: ['polling', 'websocket'], upgrade: true, final: 'websocket' },
] as const;

const seqs = (messages: Envelope[]) => messages.map((m) => m.seq);

describe.each(MODES)('fallback with the official clients, server $mode', ({ start }) => {
  let server: RunningServer;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(client: T): T => {
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await start();
  }, 30_000);
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe.each(SETUPS)('engine.io-client, $setup', ({ transports, upgrade, final }) => {
    it('receives every hub message once in order, publishes, and gets text and binary echoed', async () => {
      const client = track(await EngineClient.open(server.url, { transports: [...transports], upgrade }));
      if (upgrade) await waitUntil(() => client.transport === 'websocket', 'the upgrade');
      const channel = `eio-${randomUUID()}`;
      await client.subscribe(channel);
      for (let i = 0; i < MESSAGES; i++) await publishOne(server.url, channel, { i });
      const received = await client.waitForEnvelopes(channel, MESSAGES);
      client.send({ op: 'publish', channel, event: 'own', data: 'from-client', id: 7 });
      await waitUntil(() => client.json().some((m) => (m as { op?: string }).op === 'published'), 'the publish answer');
      expect(client.json().find((m) => (m as { op?: string }).op === 'published')).toEqual({ op: 'published', seq: MESSAGES + 1, id: 7 });

      // Echo: many small messages, each request possibly on another worker.
      for (let i = 0; i < MESSAGES; i++) client.send(`text-${i}`);
      client.send(Buffer.from([0, 1, 2, 254, 255]));
      await waitUntil(() => client.received.some((m) => Buffer.isBuffer(m)), `the binary echo (${client.describe()})`);
      const texts = client.received.filter((m): m is string => typeof m === 'string' && m.startsWith('text-'));
      expect(texts).toEqual(range(0, MESSAGES - 1).map((i) => `text-${i}`));
      const binary = client.received.find((m) => Buffer.isBuffer(m)) as Buffer;
      expect([...binary]).toEqual([0, 1, 2, 254, 255]);

      await client.waitForEnvelopes(channel, MESSAGES + 1);
      await sleep(100);
      expect(seqs(client.envelopes(channel))).toEqual(range(1, MESSAGES + 1));
      expect(received.every((m, i) => m.event === 'update' && (m.data as { i: number }).i === i)).toBe(true);
      expect(client.transport).toBe(final);
      expect(client.closes).toEqual([]);
      expect(client.errors).toEqual([]);
    });
  });

  describe.each(SETUPS)('socket.io-client, $setup', ({ transports, upgrade, final }) => {
    it('subscribes and publishes with acks, gets every message once in order, and binary events echoed', async () => {
      const client = track(await IoClient.connect(server.url, { transports: [...transports], upgrade, auth: { token: 'abc' } }));
      const channel = `sio-${randomUUID()}`;
      expect(await client.socket.emitWithAck('subscribe', { channel })).toEqual({ channel, seq: 0 });
      for (let i = 0; i < MESSAGES; i++) {
        expect(await client.socket.emitWithAck('publish', { channel, event: 'update', data: { i } })).toEqual({ seq: i + 1 });
      }
      const messages = await client.waitForMessages(channel, MESSAGES);
      expect(messages.map((m) => (m.data as { i: number }).i)).toEqual(range(0, MESSAGES - 1));

      client.socket.emit('blob', 'label', Buffer.from([1, 2, 3]), { nested: Buffer.from([4]) });
      await waitUntil(() => client.events.some((e) => e.name === 'blob'), 'the binary echo');
      const echo = client.events.find((e) => e.name === 'blob')!;
      expect(echo.args[0]).toBe('label');
      expect([...(echo.args[1] as Buffer)]).toEqual([1, 2, 3]);
      expect([...(echo.args[2] as { nested: Buffer }).nested]).toEqual([4]);
      // With --echo, an ack on any other event answers with its arguments.
      expect(await client.socket.emitWithAck('round-trip', { n: 1 })).toEqual({ n: 1 });
      expect(await client.socket.emitWithAck('unsubscribe', { channel })).toEqual({ channel });
      expect(await client.socket.emitWithAck('subscribe', { channel: 'bad name!' })).toMatchObject({ code: 'RTB_ERR_BAD_REQUEST' });

      await sleep(100);
      expect(seqs(client.messages(channel))).toEqual(range(1, MESSAGES));
      if (upgrade) await waitUntil(() => client.transport === 'websocket', 'the upgrade');
      expect(client.transport).toBe(final);
      expect(client.disconnects).toEqual([]);
    });
  });

  it('answers server pings: sessions on every transport survive several ping intervals', async () => {
    const clients = [
      track(await EngineClient.open(server.url, { transports: ['polling'] })),
      track(await EngineClient.open(server.url, { transports: ['websocket'] })),
      track(await EngineClient.open(server.url, { transports: ['polling', 'websocket'] })),
    ];
    const sio = track(await IoClient.connect(server.url, { transports: ['polling'] }));
    await sleep(PING_INTERVAL_MS * 6 + 200);
    for (const client of clients) {
      expect(client.pings, client.describe()).toBeGreaterThanOrEqual(5);
      expect(client.closes).toEqual([]);
    }
    expect(sio.pings).toBeGreaterThanOrEqual(5);
    expect(sio.disconnects).toEqual([]);
    // Still alive: a message goes through.
    const channel = `ping-${randomUUID()}`;
    await clients[0]!.subscribe(channel);
    await publishOne(server.url, channel, 'after pings');
    expect(seqs(await clients[0]!.waitForEnvelopes(channel, 1))).toEqual([1]);
  });

  it('loses and duplicates nothing when a session upgrades in the middle of a steady stream', async () => {
    const total = 200;
    const engineChannel = `up-eio-${randomUUID()}`;
    const ioChannel = `up-sio-${randomUUID()}`;
    // Subscribed while still polling; the upgrade starts right after the open.
    const engine = track(new EngineClient(server.url, { transports: ['polling', 'websocket'] }));
    engine.socket.on('open', () => engine.send({ op: 'subscribe', channel: engineChannel, cursor: 0 }));
    const sio = track(new IoClient(server.url, { transports: ['polling', 'websocket'] }));
    sio.socket.on('connect', () => sio.socket.emit('subscribe', { channel: ioChannel, cursor: 0 }));
    const startedAt = Date.now();
    await Promise.all([publishStream(server.url, engineChannel, total, 2), publishStream(server.url, ioChannel, total, 2)]);
    const endedAt = Date.now();
    await engine.waitForEnvelopes(engineChannel, total);
    await sio.waitForMessages(ioChannel, total);
    await sleep(200);
    expect(seqs(engine.envelopes(engineChannel))).toEqual(range(1, total));
    expect(seqs(sio.messages(ioChannel))).toEqual(range(1, total));
    for (const client of [engine, sio]) {
      expect(client.transport).toBe('websocket');
      expect(client.upgradedAt).toBeGreaterThan(startedAt);
      expect(client.upgradedAt).toBeLessThan(endedAt);
    }
  });

  it('with --no-websocket offers no upgrade: the clients stay on polling and still receive everything', async () => {
    const polling = await start(false);
    try {
      const channel = `nows-${randomUUID()}`;
      const engine = track(await EngineClient.open(polling.url, { transports: ['polling', 'websocket'] }));
      const sio = track(await IoClient.connect(polling.url, { transports: ['polling', 'websocket'] }));
      await engine.subscribe(channel);
      expect(await sio.socket.emitWithAck('subscribe', { channel })).toEqual({ channel, seq: 0 });
      await publishStream(polling.url, channel, MESSAGES, 0);
      await engine.waitForEnvelopes(channel, MESSAGES);
      await sio.waitForMessages(channel, MESSAGES);
      await sleep(PING_INTERVAL_MS + 100);
      expect(seqs(engine.envelopes(channel))).toEqual(range(1, MESSAGES));
      expect(seqs(sio.messages(channel))).toEqual(range(1, MESSAGES));
      expect([engine.transport, sio.transport]).toEqual(['polling', 'polling']);
      expect(engine.upgradedAt).toBeUndefined();
      expect(engine.closes).toEqual([]);
      engine.close();
      sio.close();
    } finally {
      await polling.stop();
    }
  }, 30_000);
});

describe('fallback stats', () => {
  let server: RunningServer | undefined;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(client: T): T => {
    open.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of open.splice(0)) client.close();
    await server?.stop();
    server = undefined;
  });

  it('reports open sessions, subscriptions and deliveries in /metrics', async () => {
    server = await MODES[0]!.start();
    const url = server.url;
    const channel = `metrics-${randomUUID()}`;
    const engine = track(await EngineClient.open(url, { transports: ['websocket'] }));
    const sio = track(await IoClient.connect(url, { transports: ['polling'] }));
    await engine.subscribe(channel);
    await sio.socket.emitWithAck('subscribe', { channel });
    await publishOne(url, channel, 1);
    await engine.waitForEnvelopes(channel, 1);
    await sio.waitForMessages(channel, 1);
    let text = '';
    const value = (name: string) => Number(new RegExp(`^${name}\\{transport="fallback"\\} (\\d+)`, 'm').exec(text)?.[1]);
    // Sessions of earlier tests end asynchronously after their clients close.
    const deadline = Date.now() + 5000;
    for (;;) {
      text = await (await fetch(`${url}/metrics`)).text();
      if (value('rtbench_connections_open') === 2 || Date.now() >= deadline) break;
      await sleep(50);
    }
    expect(value('rtbench_connections_open')).toBe(2);
    expect(value('rtbench_subscribers')).toBe(2);
    expect(value('rtbench_messages_delivered_total')).toBeGreaterThanOrEqual(2);
    expect(value('rtbench_bytes_written_total')).toBeGreaterThan(0);
  });
});
