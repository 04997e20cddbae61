/**
 * Bad input gets a clear error - HTTP 400/404/405/413 with a JSON body, or a
 * WebSocket close code from RFC 6455 - and the server keeps serving everyone
 * else.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { serverForSuite, startCli, startInProcess } from '../helpers/server.js';
import { publish, subscribe } from '../helpers/subscribers.js';

const MAX_PAYLOAD = 4096;
const JSON_BODY = { 'content-type': 'application/json' };

async function call(url: string, init: Parameters<typeof request>[1] = {}) {
  const response = await request(url, init);
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as { error: string; code: string } };
}

async function closeOf(url: string, send: (socket: WebSocket) => void) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  send(socket);
  return closed;
}

describe.each([
  { mode: 'in-process', start: () => startInProcess({ maxPayload: MAX_PAYLOAD }) },
  { mode: '--workers 3', start: () => startCli(['--workers', '3', '--max-payload', String(MAX_PAYLOAD)]) },
])('server $mode', ({ start }) => {
  const server = serverForSuite(start);

  const httpCases: [string, string, Parameters<typeof request>[1], number, RegExp][] = [
    ['a channel name with bad characters', '/poll?channel=bad%20name!&cursor=0', {}, 400, /^invalid channel name "bad name!"/],
    ['a missing channel', '/poll?cursor=0', {}, 400, /^channel is required$/],
    ['a missing cursor', '/poll?channel=news', {}, 400, /^cursor is required/],
    ['a bad cursor', '/long-poll?channel=news&cursor=-1', {}, 400, /^cursor must be an integer >= 0, got "-1"$/],
    ['a non-numeric cursor', '/poll?channel=news&cursor=abc', {}, 400, /^cursor must be an integer >= 0/],
    ['more cursors than channels', '/poll?channel=a&cursor=1,2', {}, 400, /^got 1 channels but 2 cursors$/],
    ['a bad long-poll timeout', '/long-poll?channel=a&cursor=0&timeout=0', {}, 400, /^timeout must be 1\.\.300000 ms/],
    ['a bad Last-Event-ID', '/sse?channel=a', { headers: { 'last-event-id': 'x1' } }, 400, /^Last-Event-ID must be an integer/],
    ['malformed JSON', '/publish', { method: 'POST', headers: JSON_BODY, body: '{"channel":' }, 400, /^body is not valid JSON$/],
    ['a publish without a channel', '/publish', { method: 'POST', headers: JSON_BODY, body: '{"data":1}' }, 400, /^channel is required$/],
    [
      'a publish that is not an object',
      '/publish',
      { method: 'POST', headers: JSON_BODY, body: '[1,2]' },
      400,
      /^publish body must be a JSON object/,
    ],
    [
      'a publish with a bad ts',
      '/publish',
      { method: 'POST', headers: JSON_BODY, body: '{"channel":"a","ts":"now"}' },
      400,
      /^ts must be a positive number/,
    ],
    [
      'an oversized body',
      '/publish',
      { method: 'POST', headers: JSON_BODY, body: JSON.stringify({ channel: 'a', data: 'x'.repeat(MAX_PAYLOAD) }) },
      413,
      /^payload exceeds the limit of 4096 bytes$/,
    ],
    ['a wrong method', '/publish', { method: 'GET' }, 405, /^GET not allowed here, use POST$/],
    ['an unknown endpoint', '/nope', {}, 404, /^no such endpoint: GET \/nope$/],
    ['echo on a server without --echo', '/echo', { method: 'POST', body: 'hi' }, 404, /^echo is off on this server/],
  ];

  it.each(httpCases)('HTTP: %s', async (_name, path, init, status, message) => {
    const answer = await call(`${server.url}${path}`, init);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(message);
  });

  it('HTTP: an oversized body sent in chunks without a length is cut off at the limit', async () => {
    const chunks = Readable.from(
      (function* () {
        for (let i = 0; i < 8; i++) yield Buffer.alloc(1024, 'x');
      })(),
    );
    const answer = await call(`${server.url}/publish`, { method: 'POST', headers: JSON_BODY, body: chunks });
    expect(answer).toEqual({
      status: 413,
      body: { error: 'payload exceeds the limit of 4096 bytes', code: 'RTB_ERR_PAYLOAD_TOO_LARGE' },
    });
  });

  // ws closes protocol-level errors (bad UTF-8, too big) with the code alone.
  const wsCases: [string, (socket: WebSocket) => void, number, RegExp][] = [
    ['a binary message', (s) => s.send(Buffer.from([1, 2, 3])), 1003, /^binary messages are not supported/],
    ['a text frame that is not valid UTF-8', (s) => s.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }), 1007, /^$/],
    ['a message that is not JSON', (s) => s.send('subscribe news'), 1007, /^message is not valid JSON$/],
    ['a JSON message that is not an object', (s) => s.send('[1]'), 1008, /^message must be a JSON object with an op$/],
    ['an unknown op', (s) => s.send('{"op":"dance"}'), 1008, /^unknown op "dance"$/],
    ['a bad channel', (s) => s.send('{"op":"subscribe","channel":"a b"}'), 1008, /^invalid channel name/],
    ['a bad cursor', (s) => s.send('{"op":"subscribe","channel":"a","cursor":-3}'), 1008, /^cursor must be an integer >= 0/],
    [
      'a message over --max-payload',
      (s) => s.send(JSON.stringify({ op: 'publish', channel: 'a', data: 'x'.repeat(MAX_PAYLOAD) })),
      1009,
      /^$/,
    ],
  ];

  it.each(wsCases)('WebSocket: %s closes with the fitting code', async (_name, send, code, reason) => {
    const closed = await closeOf(server.url, send);
    expect(closed.code).toBe(code);
    expect(closed.reason).toMatch(reason);
  });

  it('keeps serving everyone else while bad input arrives', async () => {
    const channel = `ok-${randomUUID()}`;
    const healthy = await Promise.all([subscribe('ws', server.url, [channel]), subscribe('sse', server.url, [channel])]);
    try {
      await Promise.all(wsCases.map(([, send]) => closeOf(server.url, send)));
      await Promise.all(httpCases.map(([, path, init]) => call(`${server.url}${path}`, init)));
      expect((await publish(server.url, { channel, data: 'still here' })).status).toBe(202);
      for (const subscriber of healthy) {
        const [message] = await subscriber.waitFor(1);
        expect(message).toMatchObject({ channel, seq: 1, data: 'still here' });
      }
    } finally {
      await Promise.all(healthy.map((s) => s.close()));
    }
  });

  it('a WebSocket upgrade on an unknown path is refused with a JSON body', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/nope`);
    const status = await new Promise<number>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    socket.on('error', () => {});
    socket.terminate();
    expect(status).toBe(404);
  });
});

describe('--no-websocket', () => {
  const server = serverForSuite(() => startInProcess({ websocket: false }));

  it('refuses upgrades with 400 and a reason', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    const [status, body] = await new Promise<[number, string]>((resolve) =>
      socket.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve([res.statusCode!, text]));
      }),
    );
    socket.on('error', () => {});
    socket.terminate();
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({ error: 'WebSocket upgrades are disabled on this server (--no-websocket)' });
  });
});
