/**
 * The byte meter under compression, against first principles and the
 * kernel: ws+deflate (RFC 7692) with and without context takeover, and gzip
 * poll bodies. The expected compressed sizes are made here with node:zlib
 * from the same messages and parameters the server uses (deflateRaw with a
 * sync flush per message and the 4-byte 00 00 ff ff tail stripped; a gzip
 * member per body), then framed (RFC 6455 headers, HTTP heads), and must
 * match the meter to the byte; the meter must match `ss -tin`.
 */
import { constants, createDeflateRaw, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptEncodingLine, requestHead } from '../../src/clients/header-profiles.js';
import type { ClientSettings } from '../../src/clients/load-client.js';
import { LongPollClient } from '../../src/clients/long-poll-client.js';
import { ShortPollClient } from '../../src/clients/short-poll-client.js';
import { WsDeflateClient } from '../../src/clients/ws-client.js';
import { DEFLATE_OFFER } from '../../src/clients/ws-inflate.js';
import { rfc6455HeaderBytes } from '../../src/model/frame-size.js';
import { createApp, listen, type App } from '../../src/servers/app.js';
import type { ServerConfig } from '../../src/servers/config.js';
import { DEFAULT_WS_DEFLATE } from '../../src/servers/ws-deflate.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { expectMeterMatchesKernel, waitUntilSettled } from '../helpers/kernel-bytes.js';

const DATE_LENGTH = 'Wed, 25 Nov 2026 00:21:15 GMT'.length;
const TS = 1_700_000_000_000.5;
const len = (text: string | Buffer) => (typeof text === 'string' ? Buffer.byteLength(text) : text.length);

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setUp(config: Partial<ServerConfig>, settings: Partial<ClientSettings> = {}) {
  app = createApp({ config: { host: '127.0.0.1', port: 0, pingIntervalMs: 3_600_000, ...config } });
  const port = await listen(app);
  return { port, env: clientEnvironment(settings), host: `127.0.0.1:${port}`, target: { host: '127.0.0.1', port } };
}

/** Updates with fixed timestamps and JSON-like data that repeats, as real updates do; returns their envelope texts. */
function publish(channel: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => app!.hub.publish({ channel, event: 'update', data: { symbol: 'ACME', price: 100 + i, volume: 1000 * i }, ts: TS }).json,
  );
}

/**
 * What the server's compressor sends for each message (RFC 7692 7.2.1): a
 * raw deflate stream, sync-flushed after each message, the 00 00 ff ff tail
 * cut; without context takeover a fresh stream per message. `null` marks a
 * message sent uncompressed (below the threshold), which does not touch the stream.
 */
async function deflatedSizes(messages: string[], windowBits: number, takeover: boolean, threshold: number): Promise<number[]> {
  let stream = createDeflateRaw({ windowBits });
  const sizes: number[] = [];
  for (const message of messages) {
    if (len(message) < threshold) {
      sizes.push(len(message));
      continue;
    }
    if (!takeover) stream = createDeflateRaw({ windowBits });
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer) => chunks.push(chunk);
    stream.on('data', collect);
    stream.write(message);
    await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    stream.off('data', collect);
    const out = Buffer.concat(chunks);
    expect(out.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]));
    sizes.push(out.length - 4);
  }
  stream.close();
  return sizes;
}

const upgradeAnswer = (extensions: string) =>
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${'a'.repeat(28)}\r\nSec-WebSocket-Extensions: ${extensions}\r\n\r\n`;

async function deflateExchange(config: ServerConfig['wsDeflate'], answer: string) {
  const { port, env, host, target } = await setUp({ wsDeflate: config });
  const client = new WsDeflateClient(env, target, 'news');
  await client.open();
  const messages = publish('news', 4);
  await waitUntilSettled(() => env.deliveries.delivered === 4, 'four updates');

  const request =
    `GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${'k'.repeat(24)}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ${DEFLATE_OFFER}\r\n\r\n`;
  // The client sends uncompressed (RFC 7692 allows it); the server compresses the ack and every update.
  const subscribe = '{"op":"subscribe","channel":"news","cursor":0}';
  const ack = '{"op":"subscribed","channel":"news","seq":0}';
  const sizes = await deflatedSizes([ack, ...messages], config!.serverMaxWindowBits, !config!.serverNoContextTakeover, config!.threshold);
  const down = len(upgradeAnswer(answer)) + sizes.reduce((total, size) => total + rfc6455HeaderBytes(size) + size, 0);
  expect(env.meter.snapshot()).toEqual({ down, up: len(request) + rfc6455HeaderBytes(len(subscribe), true) + len(subscribe) });
  // Payload is the envelope as delivered, inflated: compression shows as less wire than payload.
  expect(env.deliveries.payloadBytes).toBe(messages.reduce((total, m) => total + len(m), 0));
  expect(env.deliveries.payloadBytes).toBeGreaterThan(sizes.slice(1).reduce((a, b) => a + b, 0));
  expectMeterMatchesKernel(client, env, port);
  client.close();
  return sizes;
}

describe('byte meter under compression', () => {
  it('ws+deflate, context takeover: every message smaller than the one before', async () => {
    const sizes = await deflateExchange({ ...DEFAULT_WS_DEFLATE }, 'permessage-deflate');
    // The shared window is the point: later updates are mostly back-references.
    expect(sizes[2]!).toBeLessThan(sizes[1]! / 2);
  });

  it('ws+deflate, no context takeover, 1 KB window, the short ack sent uncompressed', async () => {
    const config = { ...DEFAULT_WS_DEFLATE, serverNoContextTakeover: true, serverMaxWindowBits: 10, threshold: 50 };
    const sizes = await deflateExchange(config, 'permessage-deflate; server_no_context_takeover; server_max_window_bits=10');
    expect(sizes[0]).toBe(len('{"op":"subscribed","channel":"news","seq":0}'));
  });

  it('short-poll with gzip: bodies over the threshold compressed, empty ones not', async () => {
    const { env, host, target } = await setUp({ gzip: { threshold: 60 } }, { gzip: true, pollIntervalMs: 50 });
    const messages = publish('news', 2);
    const client = new ShortPollClient(env, target, 'news');
    await client.open();
    await waitUntilSettled(() => client.polls >= 3, 'three polls');
    client.close();
    await waitUntilSettled(() => env.meter.openSockets === 0, 'the socket to close');

    const request = (cursor: number) =>
      requestHead(`/poll?channel=news&cursor=${cursor}`, host, 'minimal', acceptEncodingLine('minimal', true));
    const head = (length: number, gzip: boolean) =>
      `${[
        'HTTP/1.1 200 OK',
        'content-type: application/json',
        `content-length: ${length}`,
        'cache-control: no-cache',
        'etag: "2"',
        'vary: Accept-Encoding',
        ...(gzip ? ['content-encoding: gzip'] : []),
        `Date: ${'x'.repeat(DATE_LENGTH)}`,
        'Connection: keep-alive',
        'Keep-Alive: timeout=65',
      ].join('\r\n')}\r\n\r\n`;
    const full = gzipSync(`{"cursor":2,"messages":[${messages.join(',')}]}`);
    const empty = '{"cursor":2,"messages":[]}';
    const answered = client.polls;
    expect(client.requests - answered).toBeLessThanOrEqual(1);
    expect(env.meter.snapshot()).toEqual({
      up: len(request(0)) + (client.requests - 1) * len(request(2)),
      down: len(head(full.length, true)) + full.length + (answered - 1) * (len(head(len(empty), false)) + len(empty)),
    });
    expect(env.deliveries.delivered).toBe(2);
  });

  it('long-poll with gzip and the talk headers (which ask for gzip themselves): each answer one gzip member', async () => {
    const { port, env, host, target } = await setUp({ gzip: { threshold: 0 } }, { headers: 'talk' });
    const client = new LongPollClient(env, target, 'news');
    await client.open();
    const held = () => app!.transports.find((t) => t.name === 'long-poll')!.stats().connections === 1;
    await waitUntilSettled(held, 'the held poll');
    const first = publish('news', 1);
    await waitUntilSettled(() => env.deliveries.delivered === 1 && held(), 'the first update and the next held poll');
    const second = publish('news', 1);
    await waitUntilSettled(() => env.deliveries.delivered === 2 && held(), 'the second update');

    const request = (cursor: number) => requestHead(`/long-poll?channel=news&cursor=${cursor}&timeout=20000`, host, 'talk');
    const answer = (cursor: number, messages: string[]) => {
      const body = gzipSync(`{"cursor":${cursor},"messages":[${messages.join(',')}]}`);
      const head = [
        'HTTP/1.1 200 OK',
        'content-type: application/json',
        `content-length: ${body.length}`,
        'cache-control: no-cache',
        'vary: Accept-Encoding',
        'content-encoding: gzip',
        `Date: ${'x'.repeat(DATE_LENGTH)}`,
        'Connection: keep-alive',
        'Keep-Alive: timeout=65',
      ];
      return len(`${head.join('\r\n')}\r\n\r\n`) + body.length;
    };
    expect(env.meter.snapshot()).toEqual({
      up: len(request(0)) + len(request(1)) + len(request(2)),
      down: answer(1, first) + answer(2, second),
    });
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });
});
