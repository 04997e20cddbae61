/**
 * Helpers for the Socket.io-style fallback tests: the official
 * engine.io-client and socket.io-client wrapped with an inbox, plain HTTP
 * requests that each use a fresh connection, and a steady publisher.
 */
import { Socket as EngineSocket, type SocketOptions } from 'engine.io-client';
import { io, type ManagerOptions, type Socket as IoSocket, type SocketOptions as IoSocketOptions } from 'socket.io-client';
import { Agent, request } from 'undici';
import type { Envelope } from '../../src/servers/hub.js';

/** Polls `check` until it returns true. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One HTTP request on its own new connection, as separate clients (or workers) would see it. */
export async function freshRequest(
  url: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const dispatcher = new Agent({ pipelining: 0 });
  try {
    const response = await request(url, { ...init, method: (init.method ?? 'GET') as 'GET', dispatcher });
    return { status: response.statusCode, body: await response.body.text(), headers: response.headers };
  } finally {
    await dispatcher.close();
  }
}

export async function publishOne(baseUrl: string, channel: string, data: unknown, event = 'update'): Promise<number> {
  const response = await request(`${baseUrl}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel, event, data }),
  });
  const body = (await response.body.json()) as { seq: number };
  if (response.statusCode !== 202) throw new Error(`publish answered ${response.statusCode}`);
  return body.seq;
}

/** Publishes `count` messages one after another, `gapMs` apart. */
export async function publishStream(baseUrl: string, channel: string, count: number, gapMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await publishOne(baseUrl, channel, { i });
    if (gapMs > 0) await sleep(gapMs);
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && typeof (value as Envelope).seq === 'number' && !('op' in value);
}

/** engine.io-client with everything it receives kept in order. */
export class EngineClient {
  readonly socket: EngineSocket;
  readonly received: (string | Buffer)[] = [];
  readonly closes: { reason: string; description: unknown }[] = [];
  readonly errors: unknown[] = [];
  pings = 0;
  upgradedAt: number | undefined;

  constructor(url: string, options: Partial<SocketOptions>) {
    this.socket = new EngineSocket(url, options);
    this.socket.on('message', (data) => this.received.push(data as string | Buffer));
    this.socket.on('ping', () => this.pings++);
    this.socket.on('upgrade', () => (this.upgradedAt = Date.now()));
    this.socket.on('close', (reason, description) => this.closes.push({ reason, description }));
    this.socket.on('error', (error) => this.errors.push(error));
  }

  static async open(url: string, options: Partial<SocketOptions>): Promise<EngineClient> {
    const client = new EngineClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
    });
    return client;
  }

  get transport(): string {
    return this.socket.transport.name;
  }

  send(data: string | Buffer | object): void {
    this.socket.send(typeof data === 'object' && !Buffer.isBuffer(data) ? JSON.stringify(data) : data);
  }

  /** JSON text messages, parsed; binary and non-JSON left out. */
  json(): unknown[] {
    const out: unknown[] = [];
    for (const item of this.received) {
      if (typeof item !== 'string') continue;
      try {
        out.push(JSON.parse(item));
      } catch {
        // echoed plain text
      }
    }
    return out;
  }

  envelopes(channel: string): Envelope[] {
    return this.json().filter((m): m is Envelope => isEnvelope(m) && m.channel === channel);
  }

  async waitForEnvelopes(channel: string, count: number, timeoutMs = 10_000): Promise<Envelope[]> {
    await waitUntil(() => this.envelopes(channel).length >= count, `${count} messages on ${channel} (${this.describe()})`, timeoutMs);
    return this.envelopes(channel);
  }

  async subscribe(channel: string, cursor?: number): Promise<void> {
    this.send({ op: 'subscribe', channel, ...(cursor === undefined ? {} : { cursor }) });
    await waitUntil(
      () =>
        this.json().some(
          (m) => (m as { op?: string; channel?: string }).op === 'subscribed' && (m as { channel: string }).channel === channel,
        ),
      `subscribed to ${channel}`,
    );
  }

  describe(): string {
    return `transport ${this.transport}, closes ${JSON.stringify(this.closes.map((c) => c.reason))}, ${this.received.length} received`;
  }

  close(): void {
    this.socket.close();
  }
}

/** socket.io-client with its events kept in order. */
export class IoClient {
  readonly socket: IoSocket;
  readonly events: { name: string; args: unknown[] }[] = [];
  readonly disconnects: string[] = [];
  pings = 0;
  upgradedAt: number | undefined;

  constructor(url: string, options: Partial<ManagerOptions & IoSocketOptions>) {
    this.socket = io(url, { forceNew: true, reconnection: false, ...options });
    this.socket.onAny((name: string, ...args: unknown[]) => this.events.push({ name, args }));
    this.socket.on('disconnect', (reason) => this.disconnects.push(reason));
    this.socket.io.on('ping', () => this.pings++);
    // The manager opens its engine in the constructor (autoConnect).
    this.socket.io.engine.on('upgrade', () => (this.upgradedAt = Date.now()));
  }

  static async connect(url: string, options: Partial<ManagerOptions & IoSocketOptions>): Promise<IoClient> {
    const client = new IoClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('connect', () => resolve());
      client.socket.once('connect_error', reject);
    });
    return client;
  }

  get transport(): string {
    return this.socket.io.engine.transport.name;
  }

  messages(channel: string): Envelope[] {
    return this.events
      .filter((e) => e.name === 'message')
      .map((e) => e.args[0])
      .filter((m): m is Envelope => isEnvelope(m) && m.channel === channel);
  }

  async waitForMessages(channel: string, count: number, timeoutMs = 10_000): Promise<Envelope[]> {
    await waitUntil(
      () => this.messages(channel).length >= count,
      `${count} messages on ${channel} (transport ${this.transport}, disconnects ${JSON.stringify(this.disconnects)}, got ${this.messages(channel).length})`,
      timeoutMs,
    );
    return this.messages(channel);
  }

  close(): void {
    this.socket.disconnect();
  }
}
