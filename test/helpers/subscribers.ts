/**
 * Reference subscribers for the integration tests, one per transport, built
 * on ordinary clients (undici, ws, eventsource) rather than rtbench's own
 * lean load clients, so the server is checked against what real clients do.
 */
import { EventSource } from 'eventsource';
import { request } from 'undici';
import WebSocket from 'ws';
import type { Envelope } from '../../src/servers/hub.js';

export type TransportName = 'short-poll' | 'long-poll' | 'sse' | 'ws';
export const TRANSPORT_NAMES: TransportName[] = ['short-poll', 'long-poll', 'sse', 'ws'];

export interface TestSubscriber {
  readonly received: Envelope[];
  /** Resolves once `count` messages have arrived (rejects after the timeout). */
  waitFor(count: number, timeoutMs?: number): Promise<Envelope[]>;
  close(): Promise<void>;
}

/** Subscribes to `channels` with optional cursors; resolves once subscribed. */
export async function subscribe(
  transport: TransportName,
  baseUrl: string,
  channels: string[],
  cursors?: number[],
): Promise<TestSubscriber> {
  const sink = new Sink();
  switch (transport) {
    case 'short-poll':
      return pollingSubscriber(sink, `${baseUrl}/poll`, channels, cursors, 20);
    case 'long-poll':
      return pollingSubscriber(sink, `${baseUrl}/long-poll`, channels, cursors, 0);
    case 'sse':
      return sseSubscriber(sink, baseUrl, channels, cursors);
    case 'ws':
      return wsSubscriber(sink, baseUrl, channels, cursors);
  }
}

class Sink {
  readonly received: Envelope[] = [];
  #waiters: (() => void)[] = [];

  push(envelope: Envelope): void {
    this.received.push(envelope);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<Envelope[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `expected ${count} messages, got ${this.received.length}: seqs ${this.received.map((m) => `${m.channel}:${m.seq}`).join(' ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }
}

function pollingSubscriber(
  sink: Sink,
  endpoint: string,
  channels: string[],
  cursors: number[] | undefined,
  pauseMs: number,
): TestSubscriber {
  const cursor = new Map(channels.map((c, i) => [c, cursors?.[i] ?? 0]));
  let running = true;
  let controller = new AbortController();
  const loop = (async () => {
    while (running) {
      const query = `channel=${channels.join(',')}&cursor=${channels.map((c) => cursor.get(c)).join(',')}&timeout=2000`;
      try {
        const response = await request(`${endpoint}?${query}`, { signal: controller.signal });
        const body = (await response.body.json()) as { cursor: number | Record<string, number>; messages: Envelope[] };
        if (response.statusCode !== 200) throw new Error(`poll answered ${response.statusCode}: ${JSON.stringify(body)}`);
        for (const message of body.messages) sink.push(message);
        if (typeof body.cursor === 'number') cursor.set(channels[0]!, body.cursor);
        else for (const [c, seq] of Object.entries(body.cursor)) cursor.set(c, seq);
      } catch (error) {
        if (!running) return;
        throw error;
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  loop.catch(() => {});
  return {
    received: sink.received,
    waitFor: async (count, timeoutMs) => {
      const failed = loop.then(() => new Promise<never>(() => {}));
      return Promise.race([sink.waitFor(count, timeoutMs), failed]);
    },
    close: async () => {
      running = false;
      controller.abort();
      controller = new AbortController();
      await loop.catch(() => {});
    },
  };
}

async function sseSubscriber(sink: Sink, baseUrl: string, channels: string[], cursors: number[] | undefined): Promise<TestSubscriber> {
  const query = `channel=${channels.join(',')}${cursors ? `&cursor=${cursors.join(',')}` : ''}`;
  const source = new EventSource(`${baseUrl}/sse?${query}`);
  source.onmessage = (event) => sink.push(JSON.parse(event.data) as Envelope);
  await new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = (event) => reject(new Error(`EventSource failed: ${event.message ?? 'error'}`));
  });
  return {
    received: sink.received,
    waitFor: (count, timeoutMs) => sink.waitFor(count, timeoutMs),
    close: async () => source.close(),
  };
}

async function wsSubscriber(sink: Sink, baseUrl: string, channels: string[], cursors: number[] | undefined): Promise<TestSubscriber> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let acks = 0;
  const subscribed = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Envelope & { op?: string };
      if (message.op === 'subscribed') {
        if (++acks === channels.length) resolve();
        return;
      }
      if (message.op) return;
      sink.push(message);
    });
  });
  channels.forEach((channel, i) => {
    const cursor = cursors?.[i];
    socket.send(JSON.stringify(cursor === undefined ? { op: 'subscribe', channel } : { op: 'subscribe', channel, cursor }));
  });
  await subscribed;
  return {
    received: sink.received,
    waitFor: (count, timeoutMs) => sink.waitFor(count, timeoutMs),
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.close();
      await closed;
    },
  };
}

export async function publish(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await request(`${baseUrl}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

export async function publishMany(baseUrl: string, channel: string | string[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const answer = await publish(baseUrl, { channel, event: 'update', data: { i } });
    if (answer.status !== 202) throw new Error(`publish answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}
