/**
 * The byte meter against first principles and against the kernel. For each
 * transport a scripted exchange is run with the real load client; the bytes
 * it must have moved are rebuilt here from the protocol rules (HTTP heads as
 * the client and Node's server write them, chunked encoding, RFC 6455 frame
 * sizes), and must match the meter to the byte; the meter must then match
 * `ss -tin` for the same sockets to the byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, listen, type App } from '../../src/servers/app.js';
import type { ClientSettings } from '../../src/clients/load-client.js';
import { LongPollClient } from '../../src/clients/long-poll-client.js';
import { ShortPollClient } from '../../src/clients/short-poll-client.js';
import { SseClient } from '../../src/clients/sse-client.js';
import { WsClient } from '../../src/clients/ws-client.js';
import { requestHead } from '../../src/clients/header-profiles.js';
import { rfc6455HeaderBytes } from '../../src/model/frame-size.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { expectMeterMatchesKernel, waitUntilSettled } from '../helpers/kernel-bytes.js';

const DATE_LENGTH = 'Wed, 25 Nov 2026 00:21:15 GMT'.length;
const TS = 1_700_000_000_000.5;

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setUp(settings: Partial<ClientSettings> = {}) {
  app = createApp({ config: { host: '127.0.0.1', port: 0, pingIntervalMs: 3_600_000 } });
  const port = await listen(app);
  const env = clientEnvironment(settings);
  return { port, env, host: `127.0.0.1:${port}` };
}

/** Publishes `count` updates with fixed timestamps; returns their envelope JSON texts. */
function publish(channel: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => app!.hub.publish({ channel, event: 'update', data: `payload-${i}`, ts: TS }).json);
}

/** The head Node's http server writes for our JSON answers. */
function jsonHead(status: string, contentLength: number, extra: string[]): string {
  return `${[
    `HTTP/1.1 ${status}`,
    'content-type: application/json',
    `content-length: ${contentLength}`,
    ...extra,
    `Date: ${'x'.repeat(DATE_LENGTH)}`,
    'Connection: keep-alive',
    'Keep-Alive: timeout=65',
  ].join('\r\n')}\r\n\r\n`;
}

const pollBody = (cursor: number, messages: string[]) => `{"cursor":${cursor},"messages":[${messages.join(',')}]}`;
const len = (text: string) => Buffer.byteLength(text);

describe('byte meter: exact wire bytes per transport', () => {
  it('WebSocket: handshake, subscribe, acks and frames', async () => {
    const { port, env, host } = await setUp();
    const client = new WsClient(env, { host: '127.0.0.1', port }, 'news');
    await client.open();
    const messages = publish('news', 3);
    await waitUntilSettled(() => env.deliveries.delivered === 3, 'three updates');

    const upgradeRequest =
      `GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${'k'.repeat(24)}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const subscribe = '{"op":"subscribe","channel":"news","cursor":0}';
    const upgradeResponse =
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${'a'.repeat(28)}\r\n\r\n`;
    const ack = '{"op":"subscribed","channel":"news","seq":0}';
    const up = len(upgradeRequest) + rfc6455HeaderBytes(len(subscribe), true) + len(subscribe);
    const down =
      len(upgradeResponse) +
      rfc6455HeaderBytes(len(ack)) +
      len(ack) +
      messages.reduce((total, m) => total + rfc6455HeaderBytes(len(m)) + len(m), 0);
    expect(env.meter.snapshot()).toEqual({ down, up });
    expect(env.deliveries.payloadBytes).toBe(messages.reduce((total, m) => total + len(m), 0));
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });

  it('long polling: one held request per answer, heads and bodies', async () => {
    const { port, env, host } = await setUp();
    const client = new LongPollClient(env, { host: '127.0.0.1', port }, 'news');
    await client.open();
    await waitUntilSettled(() => app!.transports.find((t) => t.name === 'long-poll')!.stats().connections === 1, 'the held poll');
    const first = publish('news', 1);
    await waitUntilSettled(() => env.deliveries.delivered === 1, 'the first update');
    await waitUntilSettled(() => app!.transports.find((t) => t.name === 'long-poll')!.stats().connections === 1, 'the next held poll');
    const second = publish('news', 1);
    await waitUntilSettled(() => env.deliveries.delivered === 2, 'the second update');

    const request = (cursor: number) => requestHead(`/long-poll?channel=news&cursor=${cursor}&timeout=20000`, host, 'minimal');
    const answer = (cursor: number, messages: string[]) => {
      const body = pollBody(cursor, messages);
      return jsonHead('200 OK', len(body), ['cache-control: no-cache']) + body;
    };
    // Three requests: cursor 0 (answered with seq 1), cursor 1 (seq 2), cursor 2 (still held).
    const up = len(request(0)) + len(request(1)) + len(request(2));
    const down = len(answer(1, first)) + len(answer(2, second));
    expect(env.meter.snapshot()).toEqual({ down, up });
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });

  it('short polling: talk headers, ETag and conditional 304s', async () => {
    const { port, env, host } = await setUp({ headers: 'talk', conditional: true, pollIntervalMs: 50 });
    const messages = publish('news', 2);
    const client = new ShortPollClient(env, { host: '127.0.0.1', port }, 'news');
    await client.open();
    await waitUntilSettled(() => client.polls >= 4, 'four polls');
    client.close();
    await waitUntilSettled(() => env.meter.openSockets === 0, 'the socket to close');

    const polls = client.polls;
    const first = requestHead('/poll?channel=news&cursor=0', host, 'talk');
    const conditional = requestHead('/poll?channel=news&cursor=2', host, 'talk', 'If-None-Match: "2"\r\n');
    const body = pollBody(2, messages);
    const answer = jsonHead('200 OK', len(body), ['cache-control: no-cache', 'etag: "2"']) + body;
    const notModified = `${[
      'HTTP/1.1 304 Not Modified',
      'etag: "2"',
      `Date: ${'x'.repeat(DATE_LENGTH)}`,
      'Connection: keep-alive',
      'Keep-Alive: timeout=65',
    ].join('\r\n')}\r\n\r\n`;
    // A poll in flight at close() may or may not have been answered.
    expect(client.requests - polls).toBeLessThanOrEqual(1);
    expect(env.meter.snapshot()).toEqual({
      up: len(first) + (client.requests - 1) * len(conditional),
      down: len(answer) + (polls - 1) * len(notModified),
    });
    expect(env.deliveries.delivered).toBe(2);
  });

  it('SSE: one chunk per event, id lines and chunked framing counted', async () => {
    const { port, env, host } = await setUp();
    const client = new SseClient(env, { host: '127.0.0.1', port }, 'news');
    await client.open();
    const messages = publish('news', 3);
    await waitUntilSettled(() => env.deliveries.delivered === 3, 'three updates');

    const request = requestHead('/sse?channel=news&cursor=0', host, 'minimal', 'Accept: text/event-stream\r\n');
    const head = `${[
      'HTTP/1.1 200 OK',
      'content-type: text/event-stream',
      'cache-control: no-cache',
      'x-accel-buffering: no',
      `Date: ${'x'.repeat(DATE_LENGTH)}`,
      'Connection: keep-alive',
      'Keep-Alive: timeout=65',
      'Transfer-Encoding: chunked',
    ].join('\r\n')}\r\n\r\n`;
    const chunk = (text: string) => `${len(text).toString(16)}\r\n${text}\r\n`;
    const events = messages.map((m, i) => chunk(`id: ${i + 1}\ndata: ${m}\n\n`));
    expect(env.meter.snapshot()).toEqual({
      up: len(request),
      down: len(head) + len(chunk(':ok\n\n')) + events.reduce((t, e) => t + len(e), 0),
    });
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });
});
