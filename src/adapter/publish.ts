/**
 * How updates reach an adapter's app: an HTTP request the adapter builds
 * from the channel and the data (a 2xx answer acknowledges it), or a text
 * message over one WebSocket of the app's own protocol (written is
 * acknowledged: a broadcast server answers nothing). The publisher sends
 * `user-agent: rtbench-publisher` so its traffic can be told apart from the
 * subscribers' (server logs, a test's byte count).
 */
import { Pool } from 'undici';
import WebSocket from 'ws';
import type { Adapter } from './types.js';

export const PUBLISHER_AGENT = 'rtbench-publisher';
/** A publish not answered by then counts as failed (and is retried). */
const REQUEST_TIMEOUT_MS = 5000;

export type PublishOutcome = { ok: true } | { ok: false; failure: string; retriable: boolean };

export interface UpdateSender {
  send(channel: string, data: string): Promise<PublishOutcome>;
  close(now: boolean): Promise<void>;
  readonly destroyed: boolean;
}

export function updateSender(adapter: Adapter, baseUrl: string): UpdateSender {
  if (adapter.publish.http) return new HttpSender(adapter.publish.http, baseUrl);
  return new WsSender(adapter.publish.ws!, baseUrl);
}

class HttpSender implements UpdateSender {
  readonly #pools = new Map<string, Pool>();
  destroyed = false;

  constructor(
    private readonly build: NonNullable<Adapter['publish']['http']>,
    private readonly baseUrl: string,
  ) {}

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 8, pipelining: 1, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async send(channel: string, data: string): Promise<PublishOutcome> {
    const request = this.build(channel, data);
    const method = (request?.method ?? 'POST').toUpperCase();
    if (!request || typeof request.path !== 'string') {
      return { ok: false, failure: 'publish: adapter publish.http must return { path, ... }', retriable: false };
    }
    const url = new URL(request.path, this.baseUrl);
    const headers: Record<string, string> = { 'user-agent': PUBLISHER_AGENT };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, request.headers);
    const what = `${method} ${url.pathname}${url.search}`;
    try {
      const response = await this.#pool(url.origin).request({ method, path: url.pathname + url.search, headers, body: request.body });
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true };
      return {
        ok: false,
        failure: `publish: ${what} answered ${response.statusCode} ${text.slice(0, 120)}`.trim(),
        retriable: response.statusCode >= 500,
      };
    } catch (error) {
      return { ok: false, failure: `publish: ${what} failed: ${(error as Error).message}`, retriable: true };
    }
  }

  async close(now: boolean): Promise<void> {
    this.destroyed = now;
    await Promise.all([...this.#pools.values()].map((pool) => (now ? pool.destroy() : pool.close())));
  }
}

/** One WebSocket, opened on the first send and again after it closed; its `open()` messages go first each time. */
class WsSender implements UpdateSender {
  #socket: Promise<WebSocket> | undefined;
  destroyed = false;

  constructor(
    private readonly spec: NonNullable<Adapter['publish']['ws']>,
    private readonly baseUrl: string,
  ) {}

  #open(): Promise<WebSocket> {
    const url = new URL(this.spec.path ?? '/', this.baseUrl);
    url.protocol = 'ws:';
    const socket = new WebSocket(url, {
      headers: { 'user-agent': PUBLISHER_AGENT, ...this.spec.headers },
      handshakeTimeout: REQUEST_TIMEOUT_MS,
    });
    const opened = new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => {
        for (const message of this.spec.open?.() ?? []) socket.send(message);
        resolve(socket);
      });
      socket.once('error', reject);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#socket === opened) this.#socket = undefined;
    });
    // What the app sends back to the publisher is not measured; it is read and dropped.
    opened.catch(() => {
      if (this.#socket === opened) this.#socket = undefined;
    });
    return opened;
  }

  async send(channel: string, data: string): Promise<PublishOutcome> {
    const path = this.spec.path ?? '/';
    try {
      this.#socket ??= this.#open();
      const socket = await this.#socket;
      const message = this.spec.message(channel, data);
      if (typeof message !== 'string')
        return { ok: false, failure: 'publish: adapter publish.ws.message must return a string', retriable: false };
      await new Promise<void>((resolve, reject) => socket.send(message, (error) => (error ? reject(error) : resolve())));
      return { ok: true };
    } catch (error) {
      return { ok: false, failure: `publish: WebSocket ${path} failed: ${(error as Error).message}`, retriable: true };
    }
  }

  async close(now: boolean): Promise<void> {
    this.destroyed = now;
    const pending = this.#socket;
    this.#socket = undefined;
    const socket = await pending?.catch(() => undefined);
    if (!socket) return;
    if (now) {
      socket.terminate();
      return;
    }
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000);
      setTimeout(resolve, 1000).unref();
    });
  }
}
