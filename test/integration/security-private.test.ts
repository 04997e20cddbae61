/**
 * Private channels (issue 9, point 14): a `private-*` channel needs the
 * subscription token hex(HMAC-SHA256(secret, `${connectionId}:${channel}`))
 * on every transport, where the connection id is the `client` parameter or
 * field on /poll, /long-poll, /sse and /ws and the Engine.IO sid on
 * /engine.io/ and /socket.io/. Without a valid token: 403 over HTTP, close
 * 1008 on /ws, an error reply or ack on the fallback. Public channels stay
 * open to everyone, also on a server with a secret. The tokens here are
 * computed independently of the server's code.
 */
import { createHmac } from 'node:crypto';
import { EventSource } from 'eventsource';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { IoClient, waitUntil } from '../helpers/fallback-clients.js';
import { RawSocket } from '../helpers/fallback-raw.js';
import { type RunningServer, serverForSuite, startCli, startInProcess } from '../helpers/server.js';
import { publish } from '../helpers/subscribers.js';

const SECRET = 'pr1vate-s3cret';
const AUTH = { authorization: `Bearer ${SECRET}` };
const FORBIDDEN = 'RTB_ERR_FORBIDDEN';

const tokenFor = (connectionId: string, channel: string, secret = SECRET) =>
  createHmac('sha256', secret).update(`${connectionId}:${channel}`).digest('hex');

let unique = 0;
const privateChannel = () => `private-room-${process.pid}-${++unique}`;

async function get(url: string) {
  const response = await request(url);
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function publishTo(server: RunningServer, channel: string, data: unknown): Promise<void> {
  const answer = await publish(server.url, { channel, data }, AUTH);
  expect(answer.status).toBe(202);
}

describe.each([
  { mode: 'in-process', start: () => startInProcess({ secret: SECRET }) },
  { mode: '--workers 3', start: () => startCli(['--workers', '3', '--secret', SECRET]) },
])('private channels, server $mode', ({ start }) => {
  const server = serverForSuite(start);
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it.each(['/poll', '/long-poll'])('%s: 403 without a valid token, the messages with one', async (path) => {
    const channel = privateChannel();
    await publishTo(server, channel, 'hidden');
    const base = `${server.url}${path}?channel=${channel}&cursor=0&timeout=200`;
    for (const query of [
      '',
      '&client=c1',
      `&client=c1&token=${tokenFor('c2', channel)}`,
      `&client=c1&token=${tokenFor('c1', 'private-other')}`,
      `&client=c1&token=${tokenFor('c1', channel, 'wrong-secret')}`,
      `&client=c1&token=${tokenFor('c1', channel).toUpperCase().slice(1)}`,
      `&client=c%3A1&token=${tokenFor('c:1', channel)}`,
    ]) {
      const refused = await get(`${base}${query}`);
      expect(refused.status, query).toBe(403);
      expect(refused.body.code).toBe(FORBIDDEN);
    }
    const allowed = await get(`${base}&client=c1&token=${tokenFor('c1', channel)}`);
    expect(allowed.status).toBe(200);
    expect(allowed.body.messages).toMatchObject([{ channel, seq: 1, data: 'hidden' }]);
  });

  it('/poll: a percent-encoded private channel name is checked too', async () => {
    const channel = privateChannel();
    const encoded = encodeURIComponent(channel).replace('-', '%2D').replace('p', '%70');
    expect((await get(`${server.url}/poll?channel=${encoded}&cursor=0`)).status).toBe(403);
  });

  it('/poll: one token per private channel of a multi-channel request, public ones need none', async () => {
    const [a, b] = [privateChannel(), privateChannel()];
    const channels = `channel=public-room,${a},${b}&cursor=0,0,0&client=c7`;
    expect((await get(`${server.url}/poll?${channels}&token=${tokenFor('c7', a)}`)).status).toBe(403);
    const both = await get(`${server.url}/poll?${channels}&token=${tokenFor('c7', b)},${tokenFor('c7', a)}`);
    expect(both.status).toBe(200);
  });

  it('/sse: 403 without a token; with one the stream delivers', async () => {
    const channel = privateChannel();
    expect((await get(`${server.url}/sse?channel=${channel}&client=web-1`)).status).toBe(403);
    const source = new EventSource(`${server.url}/sse?channel=${channel}&client=web-1&token=${tokenFor('web-1', channel)}`);
    cleanups.push(() => source.close());
    const received: unknown[] = [];
    source.onmessage = (event) => received.push(JSON.parse(event.data));
    await new Promise<void>((resolve, reject) => {
      source.onopen = () => resolve();
      source.onerror = () => reject(new Error('EventSource failed'));
    });
    await publishTo(server, channel, 'to sse');
    await waitUntil(() => received.length === 1, 'the SSE message');
    expect(received[0]).toMatchObject({ channel, seq: 1, data: 'to sse' });
  });

  it('/ws: a subscribe without a valid token is closed with 1008; the client field and token subscribe', async () => {
    const channel = privateChannel();
    const refused = await RawSocket.open(`${server.url}/ws`);
    cleanups.push(() => refused.close());
    refused.send(JSON.stringify({ op: 'subscribe', channel, client: 'ws-1', token: tokenFor('ws-2', channel) }));
    expect(await refused.closed).toEqual({ code: 1008, reason: `private channel ${channel} needs a valid subscription token` });

    const member = await RawSocket.open(`${server.url}/ws`);
    cleanups.push(() => member.close());
    member.send(JSON.stringify({ op: 'subscribe', channel, client: 'ws-1', token: tokenFor('ws-1', channel) }));
    expect(await member.next(1)).toEqual([`{"op":"subscribed","channel":"${channel}","seq":0}`]);
    await publishTo(server, channel, 'to ws');
    const [, envelope] = await member.next(2);
    expect(JSON.parse(envelope as string)).toMatchObject({ channel, seq: 1, data: 'to ws' });
  });

  it('/engine.io/: the token is for the session id; without it an error reply and the session ends', async () => {
    const channel = privateChannel();
    for (const valid of [false, true]) {
      const socket = await RawSocket.open(`${server.url}/engine.io/?EIO=4&transport=websocket`);
      cleanups.push(() => socket.close());
      const [open] = await socket.next(1);
      const { sid } = JSON.parse((open as string).slice(1)) as { sid: string };
      const token = valid ? tokenFor(sid, channel) : tokenFor('someone-else', channel);
      socket.send(`4${JSON.stringify({ op: 'subscribe', channel, token })}`);
      const [, answer] = await socket.next(2);
      if (valid) {
        expect(answer).toBe(`4{"op":"subscribed","channel":"${channel}","seq":0}`);
      } else {
        expect(JSON.parse((answer as string).slice(1))).toEqual({
          op: 'error',
          error: `private channel ${channel} needs a valid subscription token`,
          code: FORBIDDEN,
        });
        await socket.closed;
      }
    }
  });

  it('/socket.io/: the token is for socket.io.engine.id; without it the ack carries the error', async () => {
    const channel = privateChannel();
    // Polling first: under --workers the session's requests cross workers.
    const client = await IoClient.connect(server.url, { transports: ['polling'] });
    cleanups.push(() => client.close());
    const sid = client.socket.io.engine.id!;
    expect(await client.socket.emitWithAck('subscribe', { channel })).toEqual({
      error: `private channel ${channel} needs a valid subscription token`,
      code: FORBIDDEN,
    });
    expect(await client.socket.emitWithAck('subscribe', { channel, token: tokenFor(sid, channel) })).toEqual({ channel, seq: 0 });
    await publishTo(server, channel, 'to socket.io');
    expect(await client.waitForMessages(channel, 1)).toMatchObject([{ channel, seq: 1, data: 'to socket.io' }]);
  });

  it('public channels stay open to everyone on a server with a secret', async () => {
    const channel = `public-${process.pid}-${++unique}`;
    const socket = await RawSocket.open(`${server.url}/ws`);
    cleanups.push(() => socket.close());
    socket.send(JSON.stringify({ op: 'subscribe', channel }));
    expect(await socket.next(1)).toEqual([`{"op":"subscribed","channel":"${channel}","seq":0}`]);
    expect((await get(`${server.url}/poll?channel=${channel}&cursor=0`)).status).toBe(200);
  });
});

describe('a server without a secret', () => {
  const server = serverForSuite(() => startInProcess());

  it('refuses every private channel (no token can be valid) and says why', async () => {
    const refused = await get(`${server.url}/poll?channel=private-x&cursor=0&client=c1&token=${tokenFor('c1', 'private-x', '')}`);
    expect(refused).toEqual({
      status: 403,
      body: { error: 'private channel private-x needs a server secret (--secret), and this server has none', code: FORBIDDEN },
    });
  });
});
