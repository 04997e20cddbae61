/**
 * Resuming from a cursor (issue 9, point 8; issue 10's gap signal): a cursor
 * ahead of the channel's head is refused on every transport, SSE without a
 * cursor starts from now, and a cursor older than the history kept is told
 * which messages are gone (a gap) before the replay, on every transport.
 * Also the subscription cap (point 3) and the Engine.IO answer to a second
 * WebSocket for an upgraded session.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSocket } from '../helpers/fallback-raw.js';
import { startInProcess, type RunningServer } from '../helpers/server.js';
import {
  engineMessage,
  engineSession,
  getJson,
  publishJson,
  socketIoSession,
  startWatched,
  type WatchedServer,
  WsPeer,
} from './hardening-helpers.js';

/** Reads an SSE response until `done(text)` says so, then aborts it. */
async function sseText(url: string, headers: Record<string, string>, done: (text: string) => boolean): Promise<string> {
  const controller = new AbortController();
  const response = await request(url, { headers, signal: controller.signal });
  expect(response.statusCode).toBe(200);
  let text = '';
  try {
    for await (const chunk of response.body) {
      text += chunk;
      if (done(text)) break;
    }
  } finally {
    controller.abort();
  }
  return text;
}

const envelope = (channel: string, seq: number) => `{"channel":"${channel}","seq":${seq},"event":"update","ts":1,"data":${seq}}`;

async function publishSeqs(url: string, channel: string, count: number): Promise<void> {
  for (let seq = 1; seq <= count; seq++) expect((await publishJson(url, { channel, event: 'update', ts: 1, data: seq })).status).toBe(202);
}

describe('resuming from a cursor, one process (--history 3)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startInProcess({ historySize: 3 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a cursor ahead of the head is refused: 400 on polls and SSE, close 1008 on /ws, an error on Engine.IO and Socket.IO', async () => {
    const channel = `ahead-${randomUUID()}`;
    await publishSeqs(server.url, channel, 2);
    const refusal = { error: `cursor 3 is ahead of channel ${channel}, whose last seq is 2`, code: 'RTB_ERR_CURSOR_AHEAD' };
    for (const path of [
      `/poll?channel=${channel}&cursor=3`,
      `/long-poll?channel=${channel}&cursor=3`,
      `/sse?channel=${channel}&cursor=3`,
    ]) {
      expect(await getJson(`${server.url}${path}`)).toEqual({ status: 400, body: refusal });
    }
    expect(await getJson(`${server.url}/sse?channel=${channel}`, { 'last-event-id': '3' })).toEqual({ status: 400, body: refusal });
    expect((await getJson(`${server.url}/poll?channel=${channel}&cursor=2`)).status).toBe(200);

    const peer = await WsPeer.open(server.url);
    peer.send({ op: 'subscribe', channel, cursor: 3 });
    expect(await peer.closed).toEqual({ code: 1008, reason: refusal.error });

    const engine = await engineSession(server.url, '/engine.io/');
    engine.send(`4${JSON.stringify({ op: 'subscribe', channel, cursor: 3 })}`);
    expect(engineMessage((await engine.next(2))[1])).toEqual({ op: 'error', ...refusal });
    engine.close();

    const io = await socketIoSession(server.url);
    io.send(`421["subscribe",{"channel":"${channel}","cursor":3}]`);
    expect((await io.next(3))[2]).toBe(`431${JSON.stringify([refusal])}`);
    io.close();
  });

  it('SSE without a cursor starts from now; Last-Event-ID and cursor=N still resume', async () => {
    const channel = `now-${randomUUID()}`;
    await publishSeqs(server.url, channel, 2);
    const url = `${server.url}/sse?channel=${channel}`;
    const live = sseText(url, {}, (text) => text.includes('id: ') && text.endsWith('\n\n'));
    // The stream is open (its first comment is out) before the next publish.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await publishJson(server.url, { channel, event: 'update', ts: 1, data: 3 })).status).toBe(202);
    expect(await live).toBe(`:ok\n\nid: 3\ndata: ${envelope(channel, 3)}\n\n`);
    const byId = await sseText(url, { 'last-event-id': '1' }, (text) => text.endsWith(`${envelope(channel, 3)}\n\n`));
    expect(byId).toBe(`:ok\n\nid: 2\ndata: ${envelope(channel, 2)}\n\nid: 3\ndata: ${envelope(channel, 3)}\n\n`);
    const byCursor = await sseText(`${url}&cursor=2`, {}, (text) => text.endsWith(`${envelope(channel, 3)}\n\n`));
    expect(byCursor).toBe(`:ok\n\nid: 3\ndata: ${envelope(channel, 3)}\n\n`);
  });

  describe('a cursor older than the history kept gets a gap before the replay', () => {
    // Six messages, history 3: seqs 4-6 are kept, a client at cursor 1 misses 2-3.
    let channel: string;
    beforeAll(async () => {
      channel = `gap-${randomUUID()}`;
      await publishSeqs(server.url, channel, 6);
    });
    const kept = () => [4, 5, 6].map((seq) => envelope(channel, seq));

    it('short and long polls: "gap":{"from","to"} after the messages, the cursor past both', async () => {
      const body = `{"cursor":6,"messages":[${kept().join(',')}],"gap":{"from":2,"to":3}}`;
      for (const path of ['/poll', '/long-poll']) {
        const response = await request(`${server.url}${path}?channel=${channel}&cursor=1`);
        expect(await response.body.text()).toBe(body);
      }
      // Several channels: a gap per channel that has one, keyed by channel.
      const other = `gap-other-${randomUUID()}`;
      await publishSeqs(server.url, other, 1);
      const several = await getJson(`${server.url}/poll?channel=${channel},${other}&cursor=0,0`);
      expect(several.body.cursor).toEqual({ [channel]: 6, [other]: 1 });
      expect(several.body.gap).toEqual({ [channel]: { from: 1, to: 3 } });
      // Without a gap the body is as before: no gap field.
      expect(Object.keys((await getJson(`${server.url}/poll?channel=${channel}&cursor=3`)).body)).toEqual(['cursor', 'messages']);
    });

    it('a long poll whose channel kept nothing after the gap answers at once with the gap', async () => {
      const none = await startInProcess({ historySize: 0 });
      try {
        const quiet = `gap-none-${randomUUID()}`;
        await publishSeqs(none.url, quiet, 2);
        const started = Date.now();
        const answer = await getJson(`${none.url}/long-poll?channel=${quiet}&cursor=0&timeout=5000`);
        expect(Date.now() - started).toBeLessThan(4000);
        expect(answer.body).toEqual({ cursor: 2, messages: [], gap: { from: 1, to: 2 } });
      } finally {
        await none.stop();
      }
    });

    it('SSE: an "event: gap" whose id moves the resume point past it, then the replay', async () => {
      const text = await sseText(`${server.url}/sse?channel=${channel}&cursor=1`, {}, (t) => t.endsWith(`${kept()[2]}\n\n`));
      expect(text).toBe(
        `:ok\n\nevent: gap\nid: 3\ndata: {"channel":"${channel}","from":2,"to":3}\n\n` +
          kept()
            .map((json, i) => `id: ${4 + i}\ndata: ${json}\n\n`)
            .join(''),
      );
    });

    it('/ws and Engine.IO: {"op":"gap"} after "subscribed", then the replay', async () => {
      const gap = { op: 'gap', channel, from: 2, to: 3 };
      const peer = await WsPeer.open(server.url);
      peer.send({ op: 'subscribe', channel, cursor: 1 });
      expect(await peer.next(5)).toEqual([{ op: 'subscribed', channel, seq: 6 }, gap, ...kept().map((json) => JSON.parse(json))]);
      peer.close();

      const engine = await engineSession(server.url, '/engine.io/');
      engine.send(`4${JSON.stringify({ op: 'subscribe', channel, cursor: 1 })}`);
      const frames = (await engine.next(6)).slice(1);
      expect(frames).toEqual([
        `4${JSON.stringify({ op: 'subscribed', channel, seq: 6 })}`,
        `4${JSON.stringify(gap)}`,
        ...kept().map((json) => `4${json}`),
      ]);
      engine.close();
    });

    it('Socket.IO: the ack, a "gap" event, then the replay', async () => {
      const io = await socketIoSession(server.url);
      io.send(`427["subscribe",{"channel":"${channel}","cursor":1}]`);
      const frames = (await io.next(7)).slice(2);
      expect(frames).toEqual([
        `437[{"channel":"${channel}","seq":6}]`,
        `42["gap",{"channel":"${channel}","from":2,"to":3}]`,
        ...kept().map((json) => `42["message",${json}]`),
      ]);
      io.close();
    });
  });
});

describe('--max-subscriptions (default 128) on every transport', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startInProcess();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const names = (count: number) => Array.from({ length: count }, (_, i) => `cap-${i}`);
  const refusal = { error: 'at most 128 subscriptions per connection (--max-subscriptions)', code: 'RTB_ERR_TOO_MANY_SUBSCRIPTIONS' };

  it('polls and SSE: 400 for 129 channels on one request, 128 are fine', async () => {
    for (const path of ['/poll', '/long-poll', '/sse']) {
      const cursors = (count: number) => (path === '/sse' ? '' : `&cursor=${Array(count).fill(0).join(',')}`);
      expect(await getJson(`${server.url}${path}?channel=${names(129).join(',')}${cursors(129)}`)).toEqual({ status: 400, body: refusal });
    }
    expect((await getJson(`${server.url}/poll?channel=${names(128).join(',')}&cursor=${Array(128).fill(0).join(',')}`)).status).toBe(200);
  });

  it('/ws: the 129th subscribe closes with 1008; resubscribing a held channel does not count twice', async () => {
    const peer = await WsPeer.open(server.url);
    for (const channel of names(128)) peer.send({ op: 'subscribe', channel });
    peer.send({ op: 'subscribe', channel: 'cap-0', cursor: 0 });
    await peer.next(129);
    peer.send({ op: 'subscribe', channel: 'cap-128' });
    expect(await peer.closed).toEqual({ code: 1008, reason: refusal.error });
  });

  it('Engine.IO: an error packet and the end of the session; Socket.IO: an error ack, the session stays', async () => {
    const engine = await engineSession(server.url, '/engine.io/');
    for (const channel of names(129)) engine.send(`4${JSON.stringify({ op: 'subscribe', channel })}`);
    expect(engineMessage((await engine.next(130))[129])).toEqual({ op: 'error', ...refusal });
    expect((await engine.closed).code).toBe(1000);

    const io = await socketIoSession(server.url);
    names(129).forEach((channel, i) => {
      io.send(`42${i}["subscribe",{"channel":"${channel}"}]`);
    });
    expect((await io.next(131))[130]).toBe(`43128${JSON.stringify([refusal])}`);
    // After unsubscribing one, there is room again.
    io.send('42500["unsubscribe",{"channel":"cap-0"}]');
    io.send('42501["subscribe",{"channel":"cap-128"}]');
    expect((await io.next(133)).slice(131)).toEqual(['43500[{"channel":"cap-0"}]', '43501[{"channel":"cap-128","seq":0}]']);
    io.close();
  });
});

describe('--workers 3: a worker may lag the sequencer, so a cursor a little ahead waits; one far ahead is refused', () => {
  let cluster: WatchedServer;
  beforeAll(async () => {
    cluster = await startWatched(['--workers', '3']);
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('cursor head + 1 is held, head + 1,001 gets 400', async () => {
    const channel = `lead-${randomUUID()}`;
    await publishSeqs(cluster.url, channel, 2);
    const held = getJson(`${cluster.url}/long-poll?channel=${channel}&cursor=3&timeout=5000`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await publishSeqs(cluster.url, channel, 2);
    expect((await held).body).toMatchObject({ cursor: 4, messages: [{ seq: 4 }] });
    expect((await getJson(`${cluster.url}/poll?channel=${channel}&cursor=1005`)).body.code).toBe('RTB_ERR_CURSOR_AHEAD');
  });
});

describe('Engine.IO: a second WebSocket for a session', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startInProcess();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function pollingSession(): Promise<string> {
    const response = await request(`${server.url}/engine.io/?EIO=4&transport=polling`);
    return (JSON.parse((await response.body.text()).slice(1)) as { sid: string }).sid;
  }
  const wsUrl = (sid: string) => `${server.url}/engine.io/?EIO=4&transport=websocket&sid=${sid}`;

  it('completes its handshake and is then closed, as the reference server does, once the session is upgraded or upgrading', async () => {
    const sid = await pollingSession();
    const first = await RawSocket.open(wsUrl(sid));
    first.send('2probe');
    expect(await first.next(1)).toEqual(['3probe']);
    // An upgrade under way: a second socket is opened (101), then closed without a status code.
    const during = await RawSocket.open(wsUrl(sid));
    expect((await during.closed).code).toBe(1005);
    first.send('5');
    first.send(`4${JSON.stringify({ op: 'subscribe', channel: 'dup' })}`);
    expect((await first.next(2))[1]).toBe('4{"op":"subscribed","channel":"dup","seq":0}');
    // Upgraded: the same answer, and the first socket carries on.
    const after = await RawSocket.open(wsUrl(sid));
    expect((await after.closed).code).toBe(1005);
    first.send(`4${JSON.stringify({ op: 'unsubscribe', channel: 'dup' })}`);
    expect((await first.next(3))[2]).toBe('4{"op":"unsubscribed","channel":"dup"}');
    first.close();
  });
});
