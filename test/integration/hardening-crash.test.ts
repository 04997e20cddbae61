/**
 * One packet must not take a server process down (issue 9, points 1 and 2):
 * a refused WebSocket upgrade followed by a TCP reset, and a "poison"
 * publish whose data nests deep enough to overflow JSON.stringify's stack.
 * Each attack runs against one process and against --workers 3; afterwards
 * every process is still the one that started (same pids, no restart on
 * stderr) and a subscriber on another connection got every message in order.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upgradeRequest } from '../helpers/fallback-wire.js';
import { startInProcess } from '../helpers/server.js';
import { subscribe, type TestSubscriber } from '../helpers/subscribers.js';
import {
  childPids,
  engineMessage,
  engineSession,
  getJson,
  nestedJson,
  publishJson,
  socketIoSession,
  startWatched,
  WsPeer,
} from './hardening-helpers.js';

/** Deep enough that JSON.stringify overflows the stack: ~200 KB of brackets. */
const POISON_DEPTH = 100_000;

/** An upgrade request that `ws` itself refuses: a WebSocket version it does not speak. */
const badVersion = (path: string, host: string) =>
  upgradeRequest(path, host).replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 7');

/** Sends an upgrade request and resets the connection: at once, or once the refusal has started to arrive. */
function upgradeThenReset(
  port: number,
  path: string,
  when: 'at-once' | 'after-answer',
  build: (path: string, host: string) => string = upgradeRequest,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('error', () => {});
    socket.once('close', () => resolve(received));
    socket.once('connect', () => {
      socket.write(build(path, `127.0.0.1:${port}`));
      if (when === 'at-once') socket.resetAndDestroy();
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (when === 'after-answer') socket.resetAndDestroy();
    });
  });
}

interface Target {
  url: string;
  port: number;
  /** The server's processes, to compare before and after. */
  pids(): number[];
  /** Lines on stderr and an unexpected exit: evidence of a crash. */
  trouble(): string[];
  stop(): Promise<void>;
}

async function inProcess(websocket: boolean): Promise<Target> {
  const server = await startInProcess({ websocket });
  return { ...server, pids: () => [process.pid], trouble: () => [], stop: server.stop };
}

async function cluster(websocket: boolean): Promise<Target> {
  const server = await startWatched(['--workers', '3', ...(websocket ? [] : ['--no-websocket'])]);
  return {
    url: server.url,
    port: server.port,
    pids: () => [server.pid, ...childPids(server.pid)],
    trouble: () => [...server.stderr, ...(server.exited() ? [`exited: ${server.exited()}`] : [])],
    stop: server.stop,
  };
}

describe.each([
  { mode: 'in-process', start: inProcess, workers: 1 },
  { mode: '--workers 3', start: cluster, workers: 3 },
])('crash inputs, server $mode', ({ start, workers }) => {
  let server: Target;
  let noWebSocket: Target;
  let before: number[];

  beforeAll(async () => {
    [server, noWebSocket] = await Promise.all([start(true), start(false)]);
    before = [...server.pids(), ...noWebSocket.pids()];
    expect(before).toHaveLength(workers === 1 ? 2 : 8);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), noWebSocket?.stop()]);
  });

  /** A subscriber on its own connection, messages published around `attack`, all received in order. */
  async function survives(target: Target, attack: () => Promise<void>): Promise<void> {
    const channel = `bystander-${randomUUID()}`;
    const bystander: TestSubscriber = await subscribe('sse', target.url, [channel]);
    try {
      for (let i = 0; i < 3; i++) expect((await publishJson(target.url, { channel, data: i })).status).toBe(202);
      await attack();
      for (let i = 3; i < 6; i++) expect((await publishJson(target.url, { channel, data: i })).status).toBe(202);
      const received = await bystander.waitFor(6);
      expect(received.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await bystander.close();
    }
    expect(target.trouble()).toEqual([]);
    expect([...server.pids(), ...noWebSocket.pids()]).toEqual(before);
  }

  it.each([
    ['an unknown path', '/nope', 'server', '404', upgradeRequest],
    ['an Engine.IO request it refuses', '/engine.io/?EIO=3&transport=websocket', 'server', '400', upgradeRequest],
    ['/ws with a WebSocket version ws refuses', '/ws', 'server', '400', badVersion],
    ['/ws under --no-websocket', '/ws', 'noWebSocket', '400', upgradeRequest],
    ['/engine.io/ under --no-websocket', '/engine.io/?EIO=4&transport=websocket', 'noWebSocket', '400', upgradeRequest],
  ] as const)('a refused upgrade on %s followed by a TCP reset kills no process', async (_name, path, which, status, build) => {
    const target = which === 'server' ? server : noWebSocket;
    await survives(target, async () => {
      // The kernel spreads connections over the workers: 24 of each reach every one of 3.
      const answers = await Promise.all(
        Array.from({ length: 48 }, (_, i) => upgradeThenReset(target.port, path, i % 2 === 0 ? 'at-once' : 'after-answer', build)),
      );
      expect(answers.some((answer) => answer.startsWith(`HTTP/1.1 ${status} `))).toBe(true);
    });
    // Both servers still answer.
    expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
    expect((await getJson(`${noWebSocket.url}/healthz`)).status).toBe(200);
  });

  it('POST /publish of data nested 100,000 deep is refused with 400 before it gets a seq, a held long poll survives', async () => {
    const channel = `poison-${randomUUID()}`;
    await survives(server, async () => {
      // A long poll held on the poisoned channel is where the throw used to escape (process.nextTick).
      const held = getJson(`${server.url}/long-poll?channel=${channel}&cursor=0&timeout=10000`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await publishJson(server.url, `{"channel":"${channel}","data":${nestedJson(POISON_DEPTH)}}`);
      expect(refused).toEqual({
        status: 400,
        body: { error: 'data nests deeper than 64 levels', code: 'RTB_ERR_DATA_TOO_DEEP' },
      });
      expect((await publishJson(server.url, `{"channel":"${channel}","data":${nestedJson(65)}}`)).status).toBe(400);
      // 64 levels are accepted, get seq 1 (the refused ones got none) and reach the poll.
      expect(await publishJson(server.url, `{"channel":"${channel}","data":${nestedJson(64)}}`)).toEqual({ status: 202, body: { seq: 1 } });
      const answer = await held;
      expect(answer.status).toBe(200);
      expect(answer.body.cursor).toBe(1);
      expect(JSON.stringify((answer.body.messages as { data: unknown }[])[0]!.data)).toBe(nestedJson(64));
      // Polls from cursor 0 keep answering.
      expect((await getJson(`${server.url}/poll?channel=${channel}&cursor=0`)).status).toBe(200);
    });
  });

  it('/ws: a poison publish, a deep id, a deep op and a deep cursor close the peer with 1008; nothing is published', async () => {
    const channel = `poison-ws-${randomUUID()}`;
    const deep = nestedJson(POISON_DEPTH);
    await survives(server, async () => {
      const cases = [
        [`{"op":"publish","channel":"${channel}","data":${deep}}`, 'data nests deeper than 64 levels'],
        [`{"op":"publish","channel":"${channel}","data":1,"id":${deep}}`, 'id nests deeper than 64 levels'],
        [`{"op":${deep}}`, 'unknown op an array'],
        [`{"op":"subscribe","channel":"${channel}","cursor":${deep}}`, 'cursor must be an integer >= 0, got an array'],
      ];
      for (const [text, reason] of cases) {
        const peer = await WsPeer.open(server.url);
        peer.send(text);
        expect(await peer.closed).toEqual({ code: 1008, reason });
      }
      expect((await getJson(`${server.url}/poll?channel=${channel}&cursor=0`)).body).toEqual({ cursor: 0, messages: [] });
    });
  });

  it('Engine.IO and Socket.IO: a poison publish is answered with RTB_ERR_DATA_TOO_DEEP', async () => {
    const channel = `poison-eio-${randomUUID()}`;
    const deep = nestedJson(POISON_DEPTH);
    await survives(server, async () => {
      const engine = await engineSession(server.url, '/engine.io/');
      engine.send(`4{"op":"publish","channel":"${channel}","data":${deep}}`);
      const [, reply] = await engine.next(2);
      expect(engineMessage(reply)).toEqual({ op: 'error', error: 'data nests deeper than 64 levels', code: 'RTB_ERR_DATA_TOO_DEEP' });
      engine.close();

      const io = await socketIoSession(server.url);
      io.send(`421["publish",{"channel":"${channel}","data":${deep}}]`);
      // Too deep to encode even as an event's arguments: refused before anything else reads them.
      const [, , ack] = await io.next(3);
      expect(ack).toBe('431[{"error":"event arguments nest deeper than 66 levels","code":"RTB_ERR_DATA_TOO_DEEP"}]');
      io.send(`422["publish",{"channel":"${channel}","data":${nestedJson(65)}}]`);
      const [, , , second] = await io.next(4);
      expect(second).toBe('432[{"error":"event arguments nest deeper than 66 levels","code":"RTB_ERR_DATA_TOO_DEEP"}]');
      // Data at the limit is published, and is the channel's first message.
      io.send(`423["publish",{"channel":"${channel}","data":${nestedJson(64)}}]`);
      const [, , , , third] = await io.next(5);
      expect(third).toBe('433[{"seq":1}]');
      io.close();
      expect((await getJson(`${server.url}/poll?channel=${channel}&cursor=0`)).body).toMatchObject({ cursor: 1 });
    });
  });
});
