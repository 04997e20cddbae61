/** The raw WebSocket transport's control messages, keep-alive and echo mode. */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcess, type RunningServer } from '../helpers/server.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function connect(url: string, options: WebSocket.ClientOptions = {}) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`, options);
  const inbox: unknown[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data, isBinary) => {
    inbox.push(isBinary ? data : JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const next = async (count: number) => {
    while (inbox.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return inbox.slice(0, count);
  };
  return { socket, inbox, next };
}

describe('raw WebSocket transport', () => {
  it('acknowledges subscribe, publishes with a seq, and stops after unsubscribe', async () => {
    server = await startInProcess();
    const channel = `ws-${randomUUID()}`;
    const { socket, next } = await connect(server.url);
    socket.send(JSON.stringify({ op: 'subscribe', channel }));
    expect(await next(1)).toEqual([{ op: 'subscribed', channel, seq: 0 }]);
    socket.send(JSON.stringify({ op: 'publish', channel, event: 'chat', data: 'hi', id: 7 }));
    const [, first, second] = await next(3);
    // The message and the ack can come in either order: fan-out is synchronous with publishing.
    const envelope = [first, second].find((m) => (m as { op?: string }).op === undefined);
    const ack = [first, second].find((m) => (m as { op?: string }).op === 'published');
    expect(ack).toEqual({ op: 'published', seq: 1, id: 7 });
    expect(envelope).toMatchObject({ channel, seq: 1, event: 'chat', data: 'hi' });
    socket.send(JSON.stringify({ op: 'unsubscribe', channel }));
    expect((await next(4))[3]).toEqual({ op: 'unsubscribed', channel });
    const answer = await request(`${server.url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, data: 2 }),
    });
    expect(answer.statusCode).toBe(202);
    await answer.body.dump();
    socket.send(JSON.stringify({ op: 'subscribe', channel }));
    expect((await next(5))[4]).toEqual({ op: 'subscribed', channel, seq: 2 });
    socket.close();
  });

  it('pings every interval and drops a peer that does not answer within the timeout', async () => {
    server = await startInProcess({ pingIntervalMs: 100, pingTimeoutMs: 100 });
    const answering = await connect(server.url);
    const silent = await connect(server.url, { autoPong: false });
    let pings = 0;
    answering.socket.on('ping', () => pings++);
    const closed = await new Promise<number>((resolve) => silent.socket.once('close', (code) => resolve(code)));
    expect(closed).toBe(1006); // terminated without a closing handshake
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    answering.socket.close();
  });

  it('echo mode sends every message back, text as text and binary as binary', async () => {
    server = await startInProcess({ echo: true });
    const { socket, inbox, next } = await connect(server.url);
    socket.send('{"hello":"world"}');
    socket.send(Buffer.from([0, 1, 2, 255]));
    await next(2);
    expect(inbox[0]).toEqual({ hello: 'world' });
    expect(Buffer.isBuffer(inbox[1]) && [...(inbox[1] as Buffer)]).toEqual([0, 1, 2, 255]);
    socket.close();
    const echoed = await request(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'ping 123',
    });
    expect(echoed.statusCode).toBe(200);
    expect(echoed.headers['content-type']).toBe('text/plain');
    expect(await echoed.body.text()).toBe('ping 123');
  });

  it('publishing over WebSocket needs the secret when the server has one', async () => {
    server = await startInProcess({ secret: 'k' });
    const anonymous = await connect(server.url);
    const closed = new Promise<[number, string]>((resolve) =>
      anonymous.socket.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    anonymous.socket.send(JSON.stringify({ op: 'publish', channel: 'a', data: 1 }));
    expect(await closed).toEqual([1008, 'publishing needs the server secret']);

    const withToken = await connect(server.url);
    withToken.socket.send(JSON.stringify({ op: 'publish', channel: 'a', data: 1, token: 'k' }));
    expect(await withToken.next(1)).toEqual([{ op: 'published', seq: 1 }]);
    withToken.socket.close();

    const withHeader = await connect(server.url, { headers: { authorization: 'Bearer k' } });
    withHeader.socket.send(JSON.stringify({ op: 'publish', channel: 'a', data: 1 }));
    expect(await withHeader.next(1)).toEqual([{ op: 'published', seq: 2 }]);
    withHeader.socket.close();
  });
});
