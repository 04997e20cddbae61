/**
 * Memory a client can make the server hold has a bound (issue 9, points 3-6).
 * Each attack runs against `rtbench serve` in a process of its own, whose
 * resident set (VmRSS) is read before and after, each time after a garbage
 * collection (the server runs with --expose-gc and /healthz collects first):
 * it must end within 50 MB of where it started. The figures are printed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upgradeRequest } from '../helpers/fallback-wire.js';
import { startInProcess } from '../helpers/server.js';
import { subscribe, type TestSubscriber } from '../helpers/subscribers.js';
import { getJson, publishJson, rssOf, socketIoSession, startWatched, type WatchedServer, WsPeer } from './hardening-helpers.js';

const MB = 1024 * 1024;
const RSS_SLACK = 50 * MB;

/** RSS after the server has settled: a /healthz round trip (a full garbage collection) and a pause. */
async function settledRss(server: WatchedServer): Promise<number> {
  await getJson(`${server.url}/healthz`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return rssOf(server.pid);
}

function report(what: string, before: number, after: number, peak?: number): void {
  const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
  console.log(
    `[rss] ${what}: ${mb(before)} -> ${mb(after)} (${after >= before ? '+' : ''}${mb(after - before)})${peak ? `, peak ${mb(peak)}` : ''}`,
  );
}

/** A masked client frame of any size (opcode 1 text, 2 binary). */
function clientFrame(payload: Buffer, opcode = 1): Buffer {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (head === 2) frame[1] = 0x80 | length;
  else if (head === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, head);
  for (let i = 0; i < length; i++) frame[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/**
 * A raw socket through the WebSocket handshake at `path`. `reading: false`
 * stops reading once the 101 is in (a client that never reads); otherwise
 * what follows is kept in `received`.
 */
function rawWebSocket(port: number, path: string, reading: boolean): Promise<net.Socket & { received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = Object.assign(net.connect(port, '127.0.0.1'), { received: [] as Buffer[] });
    socket.on('error', () => {});
    socket.once('connect', () => socket.write(upgradeRequest(path, `127.0.0.1:${port}`)));
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`upgrade refused: ${head.slice(0, 80)}`));
      if (reading) socket.on('data', (more: Buffer) => socket.received.push(more));
      else socket.pause();
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/**
 * Writes `frame` repeatedly (with backpressure) until `total` bytes went out,
 * the server closed the connection or `stop()` says so; `closedEarly` when
 * the server ended it first.
 */
async function flood(
  socket: net.Socket,
  frame: Buffer,
  total: number,
  stop: () => boolean = () => false,
): Promise<{ closedEarly: boolean; sent: number }> {
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  let sent = 0;
  while (sent < total && !closed && !socket.destroyed && !stop()) {
    if (!socket.write(frame)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
        // A server that stops reading leaves the write pending; the close ends the wait.
        setTimeout(done, 2000).unref();
      });
    }
    sent += frame.length;
  }
  if (!closed && !stop()) await new Promise((resolve) => setTimeout(resolve, 500));
  return { closedEarly: closed || socket.destroyed || stop(), sent };
}

describe('memory bounds against one server process', () => {
  let server: WatchedServer;
  beforeAll(async () => {
    server = await startWatched(['--history-bytes', '4mb', '--history-total-bytes', '8mb'], { exposeGc: true });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('point 3: 20,000 channels subscribed and unsubscribed by one client are freed; RSS stays within 50 MB', async () => {
    const before = await settledRss(server);
    const peer = await WsPeer.open(server.url);
    const prefix = randomUUID();
    const names = 20_000;
    for (let i = 0; i < names; i++) {
      peer.send({ op: 'subscribe', channel: `${prefix}-${i}` });
      peer.send({ op: 'unsubscribe', channel: `${prefix}-${i}` });
      // Let the replies flow now and then instead of queueing 40,000 at once.
      if (i % 2000 === 1999) await peer.next(2 * (i + 1), 20_000);
    }
    const replies = await peer.next(2 * names, 20_000);
    expect(replies.at(-1)).toEqual({ op: 'unsubscribed', channel: `${prefix}-${names - 1}` });
    const during = rssOf(server.pid);
    peer.close();
    await peer.closed;
    const after = await settledRss(server);
    report('20,000 subscribe/unsubscribe names on /ws', before, after, during);
    expect(after - before).toBeLessThan(RSS_SLACK);
    expect(during - before).toBeLessThan(RSS_SLACK);
    expect(server.exited()).toBeUndefined();
  });

  it('point 4: 20 MB published to 4 channels with 3 kinds of subscribers is held within --history-bytes and --history-total-bytes', async () => {
    const before = await settledRss(server);
    const channels = Array.from({ length: 4 }, (_, i) => `big-${i}-${randomUUID()}`);
    // One subscriber per channel and transport, so each message also gets its SSE and Socket.IO encodings cached.
    const subscribers: TestSubscriber[] = [];
    for (const channel of channels) {
      subscribers.push(await subscribe('sse', server.url, [channel]), await subscribe('ws', server.url, [channel]));
    }
    const io = await socketIoSession(server.url);
    channels.forEach((channel, i) => {
      io.send(`42${i}["subscribe",{"channel":"${channel}"}]`);
    });
    await io.next(2 + channels.length);
    const data = 'x'.repeat(500_000);
    let peak = 0;
    try {
      for (let i = 0; i < 40; i++) {
        expect((await publishJson(server.url, { channel: channels[i % 4], data })).status).toBe(202);
        if (i % 10 === 9) peak = Math.max(peak, rssOf(server.pid));
      }
      for (const subscriber of subscribers) await subscriber.waitFor(10, 20_000);
      await io.next(2 + channels.length + 40, { timeoutMs: 20_000 });
    } finally {
      for (const subscriber of subscribers) await subscriber.close();
      io.close();
    }
    // Each message counts its JSON, its SSE chunk and its Socket.IO packet with
    // that packet's UTF-8 copy: about 2 MB. A resume from 0 gets what the 4 MB
    // per channel (8 MB in all) still hold, and is told of the rest.
    const resumed = await getJson(`${server.url}/poll?channel=${channels[3]}&cursor=0`);
    const kept = (resumed.body.messages as { seq: number }[]).map((m) => m.seq);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(2);
    expect(resumed.body.gap).toEqual({ from: 1, to: kept[0]! - 1 });
    expect(kept.at(-1)).toBe(10);
    const after = await settledRss(server);
    report('40 x 500 KB to 4 channels, 12 subscribers', before, after, peak);
    expect(after - before).toBeLessThan(RSS_SLACK);
  });

  it('point 5: a /ws client that floods unsubscribes and never reads is dropped; RSS stays within 50 MB', async () => {
    const before = await settledRss(server);
    const socket = await rawWebSocket(server.port, '/ws', false);
    // The longest channel name makes each message (and its reply) large, so the flood takes fewer of them.
    const frame = clientFrame(Buffer.from(JSON.stringify({ op: 'unsubscribe', channel: 'f'.repeat(128) })));
    const { closedEarly, sent } = await flood(socket, frame, 60 * MB);
    const during = rssOf(server.pid);
    socket.destroy();
    const after = await settledRss(server);
    report(`/ws unsubscribe flood, ${(sent / MB).toFixed(1)} MB sent before the drop`, before, after, during);
    expect(closedEarly).toBe(true);
    expect(sent).toBeLessThan(60 * MB);
    expect(during - before).toBeLessThan(RSS_SLACK);
    expect(after - before).toBeLessThan(RSS_SLACK);
    expect(server.exited()).toBeUndefined();
  });

  it('point 5: under --echo, a /ws client that never reads its echoes is dropped as well', async () => {
    const echo = await startInProcess({ echo: true });
    try {
      const socket = await rawWebSocket(echo.port, '/ws', false);
      // Not JSON: echoed and otherwise ignored under --echo.
      const { closedEarly, sent } = await flood(socket, clientFrame(Buffer.alloc(60_000, 0x61)), 60 * MB);
      socket.destroy();
      expect(closedEarly).toBe(true);
      expect(sent).toBeLessThan(60 * MB);
    } finally {
      await echo.stop();
    }
  });

  it('point 6: Socket.IO binary attachments: 150 frames of 1 MB after a 10-attachment packet; the session is closed at --max-payload', async () => {
    const before = await settledRss(server);
    const socket = await rawWebSocket(server.port, '/socket.io/?EIO=4&transport=websocket', true);
    socket.write(clientFrame(Buffer.from('40')));
    const placeholders = Array.from({ length: 10 }, (_, num) => ({ _placeholder: true, num }));
    socket.write(clientFrame(Buffer.from(`4510-${JSON.stringify(['echo', ...placeholders])}`)));
    // The server's close frame (0x88): every frame it sends before is ASCII text.
    const closeFrameIn = () => socket.received.some((chunk) => chunk.includes(0x88));
    // Each frame is within --max-payload (1,000,000), the packet's parts together are not.
    const { closedEarly, sent } = await flood(socket, clientFrame(Buffer.alloc(999_000, 7), 2), 150 * 999_000, closeFrameIn);
    const during = rssOf(server.pid);
    socket.destroy();
    const after = await settledRss(server);
    report(`Socket.IO attachments, ${(sent / MB).toFixed(1)} MB sent before the close`, before, after, during);
    expect(closedEarly).toBe(true);
    expect(closeFrameIn()).toBe(true);
    // The close came after the second attachment: 2 x 999,000 bytes are over the 1,000,000 limit.
    expect(sent).toBeLessThan(20 * MB);
    expect(during - before).toBeLessThan(RSS_SLACK);
    expect(after - before).toBeLessThan(RSS_SLACK);
  });

  it('point 6: a binary packet whose attachments, each within --max-payload, add up to more closes the session unanswered', async () => {
    const io = await socketIoSession(server.url);
    const placeholders = [0, 1].map((num) => ({ _placeholder: true, num }));
    // Asks for an ack: had the packet been taken, the unknown event would be answered `437[{"error"...`.
    io.send(`452-7${JSON.stringify(['echo', ...placeholders])}`);
    io.send(Buffer.alloc(600_000, 1));
    io.send(Buffer.alloc(600_000, 2));
    expect((await io.closed).code).toBe(1000);
    expect(io.frames.slice(2)).toEqual([]);
  });

  it('point 6: a binary packet that declares more than 10 attachments closes the session at once', async () => {
    const io = await socketIoSession(server.url);
    const placeholders = Array.from({ length: 11 }, (_, num) => ({ _placeholder: true, num }));
    io.send(`4511-${JSON.stringify(['echo', ...placeholders])}`);
    expect((await io.closed).code).toBe(1000);
  });
});
