/**
 * The byte meter of the `+h2` variants against first principles and the
 * kernel. Each variant runs a scripted exchange with its real load client
 * over HTTP/2 with prior knowledge; the bytes it must have moved are rebuilt
 * from the protocol: the 24-byte preface, SETTINGS and their ACKs, a 9-byte
 * frame header before every HEADERS and DATA payload, and each header block
 * HPACK-encoded (test/helpers/h2-wire.ts) from the header lists that went
 * each way (the requests as the client wrote them; the responses' fields as
 * the client read them, since the Date the server stamps changes each second
 * and HPACK then sends it anew). They must match the meter, and the meter
 * must match `ss -tin`, to the byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { H2LongPollClient, H2ShortPollClient, H2SseClient } from '../../src/clients/h2-clients.js';
import { h2HeaderList } from '../../src/clients/h2-head.js';
import type { ConnectionHandlers, HttpLink } from '../../src/clients/http-connection.js';
import type { ClientSettings, LoadClient } from '../../src/clients/load-client.js';
import { createApp, listen, type App } from '../../src/servers/app.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { FRAME_HEADER_BYTES, HpackModel, PREFACE_BYTES, SETTINGS_ACK, settingsFrame } from '../helpers/h2-wire.js';
import { expectMeterMatchesKernel, waitUntilSettled } from '../helpers/kernel-bytes.js';

const TS = 1_700_000_000_000.5;

let app: App | undefined;
const clients: LoadClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.close();
  app = undefined;
});

/** What went over one client's connection, as the client wrote and read it. */
class WireLog {
  readonly requests: string[] = [];
  readonly responses: { fields: [string, string][]; body: number }[] = [];

  link(open: (handlers: ConnectionHandlers) => HttpLink, handlers: ConnectionHandlers): HttpLink {
    const link = open({
      ...handlers,
      onHead: (head, at) => {
        this.responses.push({ fields: [[':status', String(head.status)], ...head.headers], body: 0 });
        handlers.onHead(head, at);
      },
      onBody: (chunk, at) => {
        this.responses[this.responses.length - 1]!.body += chunk.length;
        handlers.onBody(chunk, at);
      },
    });
    return {
      socket: link.socket,
      connected: () => link.connected(),
      send: (head) => {
        this.requests.push(head);
        link.send(head);
      },
      close: (cause) => link.close(cause),
    };
  }
}

class LoggedShortPoll extends H2ShortPollClient {
  readonly log = new WireLog();
  protected override openHttp(handlers: ConnectionHandlers): HttpLink {
    return this.log.link((h) => super.openHttp(h), handlers);
  }
}

class LoggedLongPoll extends H2LongPollClient {
  readonly log = new WireLog();
  protected override openHttp(handlers: ConnectionHandlers): HttpLink {
    return this.log.link((h) => super.openHttp(h), handlers);
  }
}

class LoggedSse extends H2SseClient {
  readonly log = new WireLog();
  protected override openHttp(handlers: ConnectionHandlers): HttpLink {
    return this.log.link((h) => super.openHttp(h), handlers);
  }
}

async function setUp(settings: Partial<ClientSettings> = {}) {
  app = createApp({ config: { host: '127.0.0.1', port: 0, pingIntervalMs: 3_600_000, h2: true } });
  const port = await listen(app);
  return { port, env: clientEnvironment(settings), target: { host: '127.0.0.1', port } };
}

let published = 0;
function publish(channel: string, count: number): string[] {
  return Array.from({ length: count }, () => app!.hub.publish({ channel, event: 'update', data: `payload-${published++}`, ts: TS }).json);
}

/** Client to server: the preface, an empty SETTINGS, the ACK of the server's, and one HEADERS frame per request. */
function upBytes(log: WireLog): number {
  const hpack = new HpackModel();
  const requests = log.requests.reduce((total, head) => total + FRAME_HEADER_BYTES + hpack.block(h2HeaderList(head)), 0);
  return PREFACE_BYTES + settingsFrame(0) + SETTINGS_ACK + requests;
}

/**
 * Server to client: an empty SETTINGS, the ACK of the client's, and per
 * response a HEADERS frame; a body goes in one DATA frame and Node's server
 * then ends the stream with an empty DATA frame (END_STREAM); a bodiless
 * answer (304) ends on its HEADERS frame. `streamed` bodies (SSE) are given
 * as their DATA payloads.
 */
function downBytes(log: WireLog, streamed: string[] = []): number {
  const hpack = new HpackModel();
  let total = settingsFrame(0) + SETTINGS_ACK;
  for (const response of log.responses) {
    total += FRAME_HEADER_BYTES + hpack.block(response.fields);
    if (streamed.length === 0 && response.body > 0) total += FRAME_HEADER_BYTES + response.body + FRAME_HEADER_BYTES;
  }
  return total + streamed.reduce((sum, data) => sum + FRAME_HEADER_BYTES + Buffer.byteLength(data), 0);
}

describe('byte meter over HTTP/2: exact wire bytes per +h2 variant', () => {
  it('sse+h2: one HEADERS each way, then a DATA frame per event', async () => {
    const { port, env, target } = await setUp();
    const client = new LoggedSse(env, target, 'news');
    clients.push(client);
    await client.open();
    // One at a time: writes queued in the same tick may share a DATA frame.
    const messages: string[] = [];
    for (let i = 1; i <= 3; i++) {
      messages.push(...publish('news', 1));
      await waitUntilSettled(() => env.deliveries.delivered === i, `update ${i}`);
    }

    const events = [':ok\n\n', ...messages.map((m, i) => `id: ${i + 1}\ndata: ${m}\n\n`)];
    expect(client.log.requests).toHaveLength(1);
    expect(env.meter.snapshot()).toEqual({ up: upBytes(client.log), down: downBytes(client.log, events) });
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });

  it('long-poll+h2: a stream per poll, the repeated request mostly indexes', async () => {
    const { port, env, target } = await setUp();
    const client = new LoggedLongPoll(env, target, 'news');
    clients.push(client);
    await client.open();
    await waitUntilSettled(() => client.log.requests.length === 1, 'the held poll');
    publish('news', 1);
    await waitUntilSettled(() => env.deliveries.delivered === 1 && client.log.requests.length === 2, 'the next held poll');
    publish('news', 1);
    await waitUntilSettled(() => env.deliveries.delivered === 2 && client.log.requests.length === 3, 'the third held poll');

    expect(client.log.responses).toHaveLength(2);
    const model = new HpackModel();
    const [first, second] = client.log.requests.map((head) => model.block(h2HeaderList(head)));
    // The second request sends :authority, :method and :scheme as indexes; :path is never indexed.
    expect(second).toBeLessThan(first!);
    expect(env.meter.snapshot()).toEqual({ up: upBytes(client.log), down: downBytes(client.log) });
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });

  it('short-poll+h2: browser headers and conditional 304s, HPACK across polls', async () => {
    const { port, env, target } = await setUp({ headers: 'browser', conditional: true, pollIntervalMs: 400 });
    publish('news', 2);
    const client = new LoggedShortPoll(env, target, 'news');
    clients.push(client);
    await client.open();
    await waitUntilSettled(() => client.polls >= 4 && client.log.responses.length === client.log.requests.length, 'four answered polls');

    const statuses = client.log.responses.map((r) => r.fields[0]![1]);
    expect(statuses.slice(0, 4)).toEqual(['200', '304', '304', '304']);
    // Connection and its kin are left out over HTTP/2; the cookie and the rest are indexed after the first poll.
    expect(client.log.requests[0]).toContain('Connection: keep-alive');
    expect(h2HeaderList(client.log.requests[0]!).some(([name]) => name === 'connection')).toBe(false);
    expect(env.meter.snapshot()).toEqual({ up: upBytes(client.log), down: downBytes(client.log) });
    expectMeterMatchesKernel(client, env, port);
    client.close();
  });
});
