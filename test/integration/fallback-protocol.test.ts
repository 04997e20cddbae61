/**
 * The fallback's wire protocol, checked with plain HTTP requests (undici) and
 * a bare WebSocket (`ws`), no Engine.IO client: the handshake, every error
 * code and status with its exact body, polling payloads, heartbeat, close,
 * the upgrade dance, Socket.IO packets, and sessions spread over
 * `--workers 3` where each request may reach another worker than the one
 * that owns the session.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite, startCli, startInProcess, type RunningServer } from '../helpers/server.js';
import { freshRequest, publishOne, range, sleep } from '../helpers/fallback-clients.js';
import { clientOnOtherWorker, pinnedClient, RawSocket, refusedUpgrade, SID, socketOnOtherWorker } from '../helpers/fallback-raw.js';

const MAX_PAYLOAD = 1000;
const RS = '\x1e';

const ERR = {
  transport: '{"code":0,"message":"Transport unknown"}',
  sid: '{"code":1,"message":"Session ID unknown"}',
  method: '{"code":2,"message":"Bad handshake method"}',
  bad: '{"code":3,"message":"Bad request"}',
  forbidden: '{"code":4,"message":"Forbidden"}',
  version: '{"code":5,"message":"Unsupported protocol version"}',
};

const poll = (base: string, sid?: string, path = '/engine.io/') => `${base}${path}?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`;
const wsUrl = (base: string, sid?: string, path = '/engine.io/') => `${base}${path}?EIO=4&transport=websocket${sid ? `&sid=${sid}` : ''}`;

async function handshake(base: string, path = '/engine.io/'): Promise<string> {
  const answer = await freshRequest(poll(base, undefined, path));
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body.slice(1)) as { sid: string }).sid;
}

const get = (base: string, sid: string, path = '/engine.io/') => freshRequest(poll(base, sid, path));
const post = (base: string, sid: string, body: string, path = '/engine.io/') =>
  freshRequest(poll(base, sid, path), { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });

let echo: RunningServer;
let plain: RunningServer;
let fast: RunningServer;

beforeAll(async () => {
  echo = await startInProcess({ echo: true, pingIntervalMs: 10_000, pingTimeoutMs: 5_000, maxPayload: MAX_PAYLOAD });
  plain = await startInProcess({ pingIntervalMs: 10_000, pingTimeoutMs: 5_000 });
  fast = await startInProcess({ echo: true, pingIntervalMs: 300, pingTimeoutMs: 200 });
});
afterAll(async () => {
  await Promise.all([echo?.stop(), plain?.stop(), fast?.stop()]);
});

describe('Engine.IO v4 over HTTP long-polling', () => {
  it('opens a session with the handshake the clients expect', async () => {
    const answer = await freshRequest(poll(echo.url));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; charset=UTF-8');
    const sid = (JSON.parse(answer.body.slice(1)) as { sid: string }).sid;
    expect(sid).toMatch(SID);
    expect(answer.body).toBe(
      `0{"sid":"${sid}","upgrades":["websocket"],"pingInterval":10000,"pingTimeout":5000,"maxPayload":${MAX_PAYLOAD}}`,
    );
  });

  const cases: [string, string, string, number, string][] = [
    ['no transport', '/engine.io/?EIO=4', 'GET', 400, ERR.transport],
    ['an unknown transport', '/engine.io/?EIO=4&transport=flash', 'GET', 400, ERR.transport],
    ['an unknown sid', '/engine.io/?EIO=4&transport=polling&sid=nope', 'GET', 400, ERR.sid],
    ['an unknown sid on a POST', '/engine.io/?EIO=4&transport=polling&sid=nope', 'POST', 400, ERR.sid],
    ['a POST handshake', '/engine.io/?EIO=4&transport=polling', 'POST', 400, ERR.method],
    ['a PUT handshake', '/socket.io/?EIO=4&transport=polling', 'PUT', 400, ERR.method],
    ['a WebSocket handshake without an upgrade', '/engine.io/?EIO=4&transport=websocket', 'GET', 400, ERR.bad],
    ['no protocol version', '/engine.io/?transport=polling', 'GET', 400, ERR.version],
    ['protocol version 3', '/socket.io/?EIO=3&transport=polling', 'GET', 400, ERR.version],
  ];
  it.each(cases)('refuses %s', async (_name, path, method, status, body) => {
    const answer = await freshRequest(`${echo.url}${path}`, { method, body: method === 'GET' ? undefined : '4x' });
    expect([answer.status, answer.body]).toEqual([status, body]);
    expect(answer.headers['content-type']).toBe('application/json');
  });

  it('forbids using a session on the other endpoint (403, code 4)', async () => {
    const sid = await handshake(echo.url, '/engine.io/');
    const answer = await get(echo.url, sid, '/socket.io/');
    expect([answer.status, answer.body]).toEqual([403, ERR.forbidden]);
    await post(echo.url, sid, '1');
  });

  it('refuses methods other than GET and POST on a session, and binary bodies (code 3)', async () => {
    const sid = await handshake(echo.url);
    const put = await freshRequest(poll(echo.url, sid), { method: 'PUT', body: 'x' });
    expect([put.status, put.body]).toEqual([400, ERR.bad]);
    const binary = await freshRequest(poll(echo.url, sid), {
      method: 'POST',
      body: Buffer.from([1, 2]),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect([binary.status, binary.body]).toEqual([400, ERR.bad]);
    // Protocol v4 has no binary POST: the session is closed.
    expect((await get(echo.url, sid)).body).toBe(ERR.sid);
  });

  it('carries text and base64 binary packets joined by the record separator, and answers POSTs with ok', async () => {
    const sid = await handshake(echo.url);
    const posted = await post(echo.url, sid, `4hello${RS}bAQIDBA==${RS}4wörld`);
    expect([posted.status, posted.body, posted.headers['content-type']]).toEqual([200, 'ok', 'text/html']);
    const polled = await get(echo.url, sid);
    expect([polled.status, polled.body]).toEqual([200, `4hello${RS}bAQIDBA==${RS}4wörld`]);
    expect(polled.headers['content-length']).toBe(String(Buffer.byteLength(polled.body)));
  });

  it('maps the JSON control messages onto the hub and delivers the envelope as a 4 packet', async () => {
    const sid = await handshake(plain.url);
    const channel = `raw-${randomUUID()}`;
    expect((await post(plain.url, sid, `4${JSON.stringify({ op: 'subscribe', channel })}`)).body).toBe('ok');
    expect((await get(plain.url, sid)).body).toBe(`4{"op":"subscribed","channel":"${channel}","seq":0}`);
    const held = get(plain.url, sid);
    await sleep(50);
    await publishOne(plain.url, channel, { n: 1 }, 'news');
    const delivered = await held;
    const envelope = JSON.parse(delivered.body.slice(1)) as { ts: number };
    expect(delivered.body).toBe(`4{"channel":"${channel}","seq":1,"event":"news","ts":${envelope.ts},"data":{"n":1}}`);
    await post(plain.url, sid, `4${JSON.stringify({ op: 'publish', channel, event: 'e', data: 2, id: 'x' })}`);
    const published = await get(plain.url, sid);
    const packets = published.body.split(RS);
    // The message and the answer may come in either order: fan-out is synchronous with publishing.
    expect(packets).toContain('4{"op":"published","seq":2,"id":"x"}');
    expect(packets.find((p) => p.includes('"seq":2,"event":"e"'))).toBeDefined();
    // Resume from a cursor: the retained messages after it, after the answer.
    await post(plain.url, sid, `4${JSON.stringify({ op: 'subscribe', channel, cursor: 0 })}`);
    const resumed = (await get(plain.url, sid)).body.split(RS);
    expect(resumed[0]).toBe(`4{"op":"subscribed","channel":"${channel}","seq":2}`);
    expect(resumed.slice(1).map((p) => (JSON.parse(p.slice(1)) as { seq: number }).seq)).toEqual([1, 2]);
    await post(plain.url, sid, '1');
  });

  it('answers a bad control message with an error packet and a close', async () => {
    const sid = await handshake(plain.url);
    await post(plain.url, sid, '4not json');
    const last = await get(plain.url, sid);
    expect(last.body).toBe(`4{"op":"error","error":"message is not valid JSON","code":"RTB_ERR_BAD_JSON"}${RS}1`);
    expect((await get(plain.url, sid)).body).toBe(ERR.sid);
  });

  it('answers a second concurrent poll with 400 and closes the session (the first poll gets 1)', async () => {
    const sid = await handshake(echo.url);
    const first = get(echo.url, sid);
    await sleep(50);
    const second = await get(echo.url, sid);
    expect([second.status, second.body]).toEqual([400, ERR.bad]);
    expect(await first).toMatchObject({ status: 200, body: '1' });
    expect((await get(echo.url, sid)).body).toBe(ERR.sid);
  });

  it('refuses a payload over maxPayload with 413 and closes the session', async () => {
    const sid = await handshake(echo.url);
    const big = await post(echo.url, sid, `4${'x'.repeat(MAX_PAYLOAD)}`);
    expect([big.status, big.body, big.headers.connection]).toEqual([413, '', 'close']);
    expect((await get(echo.url, sid)).body).toBe(ERR.sid);
    // Exactly maxPayload bytes is fine.
    const sid2 = await handshake(echo.url);
    expect((await post(echo.url, sid2, `4${'y'.repeat(MAX_PAYLOAD - 1)}`)).body).toBe('ok');
    expect((await get(echo.url, sid2)).body).toBe(`4${'y'.repeat(MAX_PAYLOAD - 1)}`);
  });

  it('closes the session on an invalid packet (400, code 3)', async () => {
    const sid = await handshake(echo.url);
    const answer = await post(echo.url, sid, 'abc');
    expect([answer.status, answer.body]).toEqual([400, ERR.bad]);
    expect((await get(echo.url, sid)).body).toBe(ERR.sid);
  });

  it('closes on the client close packet: a held poll gets a noop, then the sid is unknown', async () => {
    const sid = await handshake(echo.url);
    const held = get(echo.url, sid);
    await sleep(50);
    expect((await post(echo.url, sid, '1')).body).toBe('ok');
    expect((await held).body).toBe('6');
    expect((await get(echo.url, sid)).body).toBe(ERR.sid);
  });

  it('pings every pingInterval, takes pongs, and drops a session that stops answering', async () => {
    const sid = await handshake(fast.url);
    for (let i = 0; i < 3; i++) {
      expect((await get(fast.url, sid)).body).toBe('2');
      expect((await post(fast.url, sid, '3')).body).toBe('ok');
    }
    await sleep(300 + 200 + 100);
    expect((await get(fast.url, sid)).body).toBe(ERR.sid);
  });

  it('with --no-websocket offers no upgrade and refuses WebSocket requests', async () => {
    const server = await startInProcess({ websocket: false });
    try {
      const answer = await freshRequest(poll(server.url));
      expect(JSON.parse(answer.body.slice(1))).toMatchObject({ upgrades: [] });
      const sid = (JSON.parse(answer.body.slice(1)) as { sid: string }).sid;
      expect(await refusedUpgrade(wsUrl(server.url, sid))).toEqual({
        status: 400,
        body: '{"error":"WebSocket upgrades are disabled on this server (--no-websocket)"}',
      });
    } finally {
      await server.stop();
    }
  });
});

describe('Engine.IO v4 over WebSocket', () => {
  it('opens a WebSocket-only session with no upgrades, and echoes text as text and binary as binary', async () => {
    const socket = await RawSocket.open(wsUrl(echo.url));
    const [open] = await socket.next(1);
    const sid = (JSON.parse((open as string).slice(1)) as { sid: string }).sid;
    expect(open).toBe(`0{"sid":"${sid}","upgrades":[],"pingInterval":10000,"pingTimeout":5000,"maxPayload":${MAX_PAYLOAD}}`);
    socket.send('4hello');
    socket.send(Buffer.from([1, 2, 3, 4]));
    const [, text, binary] = await socket.next(3);
    expect(text).toBe('4hello');
    expect(binary).toEqual(Buffer.from([1, 2, 3, 4]));
    // The session is on WebSocket: polling it is a bad request.
    expect((await get(echo.url, sid)).body).toBe(ERR.bad);
    socket.send('1');
    expect((await socket.closed).code).toBe(1000);
    expect((await get(echo.url, sid)).body).toBe(ERR.sid);
  });

  it('closes on an invalid packet and on a message over maxPayload', async () => {
    const invalid = await RawSocket.open(wsUrl(echo.url));
    await invalid.next(1);
    invalid.send('abc');
    expect((await invalid.closed).code).toBe(1000);
    const big = await RawSocket.open(wsUrl(echo.url));
    await big.next(1);
    big.send(`4${'x'.repeat(MAX_PAYLOAD)}`);
    expect((await big.closed).code).toBe(1009);
  });

  it('pings a WebSocket session and closes one that does not answer', async () => {
    const answering = await RawSocket.open(wsUrl(fast.url));
    const silent = await RawSocket.open(wsUrl(fast.url));
    await answering.next(1);
    for (let i = 1; i <= 3; i++) {
      const frames = await answering.next(1 + i, { skipPings: false });
      expect(frames[i]).toBe('2');
      answering.send('3');
    }
    expect((await silent.closed).code).toBe(1000);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    answering.close();
  });

  it('upgrades a polling session: 2probe / 3probe, a noop to the held poll, 5, then the WebSocket', async () => {
    const sid = await handshake(echo.url);
    const held = get(echo.url, sid);
    await sleep(50);
    const socket = await RawSocket.open(wsUrl(echo.url, sid));
    socket.send('2probe');
    expect(await socket.next(1)).toEqual(['3probe']);
    expect((await held).body).toBe('6');
    // A poll between probe and upgrade is answered at once.
    expect((await get(echo.url, sid)).body).toBe('6');
    socket.send('5');
    socket.send('4hello');
    expect(await socket.next(2)).toEqual(['3probe', '4hello']);
    expect((await get(echo.url, sid)).body).toBe(ERR.bad);
    expect((await post(echo.url, sid, '4x')).body).toBe(ERR.bad);
    // A second WebSocket for the upgraded session: as the reference server does,
    // its handshake completes and it is closed at once, without a status code.
    const second = await RawSocket.open(wsUrl(echo.url, sid));
    expect((await second.closed).code).toBe(1005);
    socket.send('4still');
    expect(await socket.next(3)).toEqual(['3probe', '4hello', '4still']);
    socket.close();
  });

  it('moves what was queued for polling onto the WebSocket, once and in order', async () => {
    const sid = await handshake(plain.url);
    const channel = `queued-${randomUUID()}`;
    await post(plain.url, sid, `4${JSON.stringify({ op: 'subscribe', channel })}`);
    expect((await get(plain.url, sid)).body).toContain('"op":"subscribed"');
    for (let i = 0; i < 3; i++) await publishOne(plain.url, channel, i);
    const socket = await RawSocket.open(wsUrl(plain.url, sid));
    socket.send('2probe');
    await socket.next(1);
    await publishOne(plain.url, channel, 3);
    socket.send('5');
    await publishOne(plain.url, channel, 4);
    const frames = (await socket.next(6)).slice(1) as string[];
    expect(frames.map((f) => (JSON.parse(f.slice(1)) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    socket.close();
  });

  it('refuses upgrades with the error codes and exact bodies', async () => {
    expect(await refusedUpgrade(wsUrl(echo.url, 'nope'))).toEqual({ status: 400, body: ERR.sid });
    expect(await refusedUpgrade(`${echo.url}/engine.io/?EIO=3&transport=websocket`)).toEqual({ status: 400, body: ERR.version });
    expect(await refusedUpgrade(`${echo.url}/engine.io/?EIO=4&transport=polling`)).toEqual({ status: 400, body: ERR.bad });
    expect(await refusedUpgrade(`${echo.url}/engine.io/?EIO=4&transport=carrier-pigeon`)).toEqual({ status: 400, body: ERR.transport });
    const sid = await handshake(echo.url, '/socket.io/');
    expect(await refusedUpgrade(wsUrl(echo.url, sid, '/engine.io/'))).toEqual({ status: 403, body: ERR.forbidden });
  });
});

describe('Socket.IO v5', () => {
  it('over polling: CONNECT, subscribe with an ack, and hub messages as 42["message",envelope]', async () => {
    const sid = await handshake(plain.url, '/socket.io/');
    const channel = `sio-${randomUUID()}`;
    await post(plain.url, sid, `40${RS}420["subscribe",{"channel":"${channel}"}]`, '/socket.io/');
    const answer = (await get(plain.url, sid, '/socket.io/')).body.split(RS);
    expect(answer[0]).toMatch(/^40\{"sid":"[A-Za-z0-9_-]{20}"\}$/);
    expect(answer[1]).toBe(`430[{"channel":"${channel}","seq":0}]`);
    await publishOne(plain.url, channel, [1, 'two']);
    const message = (await get(plain.url, sid, '/socket.io/')).body;
    const ts = (JSON.parse(message.slice(2)) as [string, { ts: number }])[1].ts;
    expect(message).toBe(`42["message",{"channel":"${channel}","seq":1,"event":"update","ts":${ts},"data":[1,"two"]}]`);
    await post(plain.url, sid, `421["publish",{"channel":"${channel}","data":3}]`, '/socket.io/');
    expect((await get(plain.url, sid, '/socket.io/')).body.split(RS)).toContain('431[{"seq":2}]');
  });

  it('over WebSocket: namespaces, acks, echo, binary attachments, DISCONNECT, and protocol errors', async () => {
    const socket = await RawSocket.open(wsUrl(echo.url, undefined, '/socket.io/'));
    await socket.next(1);
    socket.send('40/admin,');
    expect((await socket.next(2))[1]).toBe('44/admin,{"message":"Invalid namespace"}');
    socket.send('40{"token":"abc"}');
    expect((await socket.next(3))[2]).toMatch(/^40\{"sid":"[A-Za-z0-9_-]{20}"\}$/);
    socket.send('4212["anything",1,{"a":[true]}]');
    expect((await socket.next(5)).slice(3)).toEqual(['42["anything",1,{"a":[true]}]', '4312[1,{"a":[true]}]']);
    socket.send('451-["bin",{"_placeholder":true,"num":0},"x"]');
    socket.send(Buffer.from([7, 8, 9]));
    expect((await socket.next(7)).slice(5)).toEqual(['451-["bin",{"_placeholder":true,"num":0},"x"]', Buffer.from([7, 8, 9])]);
    socket.send('427["subscribe",{"channel":"bad channel!"}]');
    const error = (await socket.next(9))[8] as string;
    expect(error).toBe(
      '437[{"error":"invalid channel name \\"bad channel!\\": use 1-128 of A-Z a-z 0-9 _ . : ~ -","code":"RTB_ERR_BAD_REQUEST"}]',
    );
    // DISCONNECT leaves the Engine.IO session open; the namespace can be joined again.
    socket.send('41');
    socket.send('40');
    expect((await socket.next(10))[9]).toMatch(/^40\{"sid":/);
    socket.send('4abc');
    expect((await socket.closed).code).toBe(1000);
  });

  it('closes a session whose first packet is not CONNECT', async () => {
    const socket = await RawSocket.open(wsUrl(echo.url, undefined, '/socket.io/'));
    await socket.next(1);
    socket.send('42["early"]');
    expect((await socket.closed).code).toBe(1000);
  });

  it('publishing needs the secret: in the CONNECT auth payload or the publish token', async () => {
    const secured = await startInProcess({ secret: 's3cret' });
    try {
      const channel = `auth-${randomUUID()}`;
      const anonymous = await RawSocket.open(wsUrl(secured.url, undefined, '/socket.io/'));
      await anonymous.next(1);
      anonymous.send('40');
      anonymous.send(`421["publish",{"channel":"${channel}","data":1}]`);
      expect((await anonymous.next(3))[2]).toBe('431[{"error":"publishing needs the server secret","code":"RTB_ERR_UNAUTHORIZED"}]');
      anonymous.send(`422["publish",{"channel":"${channel}","data":1,"token":"s3cret"}]`);
      expect((await anonymous.next(4))[3]).toBe('432[{"seq":1}]');
      const member = await RawSocket.open(wsUrl(secured.url, undefined, '/socket.io/'));
      await member.next(1);
      member.send('40{"token":"s3cret"}');
      member.send(`421["publish",{"channel":"${channel}","data":2}]`);
      expect((await member.next(3))[2]).toBe('431[{"seq":2}]');
      anonymous.close();
      member.close();
    } finally {
      await secured.stop();
    }
  });
});

describe('several workers (rtbench serve --workers 3)', () => {
  const cluster = serverForSuite(() => startCli(['--workers', '3', '--echo', '--max-payload', String(MAX_PAYLOAD)]));

  it('serves a session from any worker: GET, POST and the upgrade on connections of another worker', async () => {
    const owner = await pinnedClient(cluster.url);
    const open = await owner.client.request({ path: '/engine.io/?EIO=4&transport=polling', method: 'GET' });
    const sid = (JSON.parse((await open.body.text()).slice(1)) as { sid: string }).sid;
    const other = await clientOnOtherWorker(cluster.url, owner.pid);
    const path = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const posted = await other.client.request({ path, method: 'POST', body: `4one${RS}4two` });
    expect([posted.statusCode, await posted.body.text()]).toEqual([200, 'ok']);
    const polled = await other.client.request({ path, method: 'GET' });
    expect(await polled.body.text()).toBe(`4one${RS}4two`);

    const channel = `workers-${randomUUID()}`;
    await other.client.request({ path, method: 'POST', body: `4{"op":"subscribe","channel":"${channel}"}` }).then((r) => r.body.dump());
    expect(await (await owner.client.request({ path, method: 'GET' })).body.text()).toContain('"op":"subscribed"');

    // The upgrade, on a raw connection that another worker accepted.
    const { socket: tcp, pid } = await socketOnOtherWorker(cluster.port, owner.pid);
    expect(pid).not.toBe(owner.pid);
    const ws = await RawSocket.open(wsUrl(cluster.url, sid), { createConnection: () => tcp });
    ws.send('2probe');
    expect(await ws.next(1)).toEqual(['3probe']);
    ws.send('5');
    await publishOne(cluster.url, channel, 'after the upgrade');
    const frames = await ws.next(2);
    expect(JSON.parse((frames[1] as string).slice(1))).toMatchObject({ channel, seq: 1, data: 'after the upgrade' });
    ws.send('4echo');
    expect((await ws.next(3))[2]).toBe('4echo');
    ws.close();
    await owner.client.close();
    await other.client.close();
  });

  it('keeps 50 messages in order across fresh connections, with no "Session ID unknown"', async () => {
    const sid = await handshake(cluster.url);
    const received: string[] = [];
    for (let i = 0; i < 50; i++) {
      const posted = await post(cluster.url, sid, `4m${i}`);
      expect([posted.status, posted.body]).toEqual([200, 'ok']);
      if (i % 5 === 4) {
        const polled = await get(cluster.url, sid);
        expect(polled.status, polled.body).toBe(200);
        received.push(...polled.body.split(RS));
      }
    }
    expect(received).toEqual(range(0, 49).map((i) => `4m${i}`));
  });

  it('answers errors the same from every worker: unknown sid, 413, close', async () => {
    // A sid naming no live worker is unknown wherever it lands.
    for (let i = 0; i < 5; i++) expect((await get(cluster.url, `zzzz${'a'.repeat(16)}`)).body).toBe(ERR.sid);
    const sid = await handshake(cluster.url);
    const big = await post(cluster.url, sid, `4${'x'.repeat(MAX_PAYLOAD)}`);
    expect([big.status, big.headers.connection]).toEqual([413, 'close']);
    for (let i = 0; i < 5; i++) expect((await get(cluster.url, sid)).body).toBe(ERR.sid);
    const sid2 = await handshake(cluster.url);
    expect((await post(cluster.url, sid2, '1')).body).toBe('ok');
    for (let i = 0; i < 5; i++) expect((await get(cluster.url, sid2)).body).toBe(ERR.sid);
  });
});
