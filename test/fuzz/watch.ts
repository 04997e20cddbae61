/**
 * What the fuzz suite watches while the fuzzer runs: a steady publisher on
 * a channel of its own (`steady-<uuid>`, a name the generators never make)
 * with a WebSocket and an SSE subscriber on other connections, which must
 * receive every message in order throughout; and the server's processes,
 * which must all stay alive (/healthz answers, worker pids unchanged).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EventSource } from 'eventsource';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import type { Envelope } from '../../src/servers/hub.js';

export class SteadyWatch {
  readonly channel = `steady-${randomUUID()}`;
  readonly ws: Envelope[] = [];
  readonly sse: Envelope[] = [];
  /** Seqs the server acknowledged, in publishing order. */
  readonly published: number[] = [];
  #running = true;
  #loop: Promise<void> = Promise.resolve();
  #failure: unknown;
  #socket: WebSocket | undefined;
  #source: EventSource | undefined;
  readonly #agent = new Agent({ connections: 1 });

  private constructor(
    readonly url: string,
    readonly secret: string,
  ) {}

  /** Subscribes both subscribers, then publishes one message every `gapMs` until stopped. */
  static async start(url: string, secret: string, gapMs = 10): Promise<SteadyWatch> {
    const watch = new SteadyWatch(url, secret);
    await Promise.all([watch.#subscribeWs(), watch.#subscribeSse()]);
    watch.#loop = watch.#publishLoop(gapMs).catch((error: unknown) => {
      watch.#failure = error;
    });
    return watch;
  }

  async #subscribeWs(): Promise<void> {
    const socket = new WebSocket(`${this.url.replace('http', 'ws')}/ws`);
    this.#socket = socket;
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    await new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Envelope & { op?: string };
        if (message.op === 'subscribed') resolve();
        else if (message.op === undefined) this.ws.push(message);
      });
      socket.send(JSON.stringify({ op: 'subscribe', channel: this.channel }));
    });
  }

  async #subscribeSse(): Promise<void> {
    const source = new EventSource(`${this.url}/sse?channel=${this.channel}`);
    this.#source = source;
    source.onmessage = (event) => this.sse.push(JSON.parse(event.data) as Envelope);
    await new Promise<void>((resolve, reject) => {
      source.onopen = () => resolve();
      source.onerror = () => reject(new Error('the watching SSE subscriber could not connect'));
    });
  }

  async #publishLoop(gapMs: number): Promise<void> {
    for (let i = 0; this.#running; i++) {
      const response = await request(`${this.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.secret}` },
        body: JSON.stringify({ channel: this.channel, event: 'steady', data: { i } }),
        dispatcher: this.#agent,
      });
      const body = (await response.body.json()) as { seq?: number };
      if (response.statusCode !== 202) throw new Error(`the steady publish answered ${response.statusCode}: ${JSON.stringify(body)}`);
      this.published.push(body.seq!);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  }

  /**
   * Throws unless both subscribers have every message published so far
   * (waiting up to `timeoutMs` for the last ones), each once and in order.
   */
  async check(timeoutMs = 5000): Promise<{ published: number }> {
    if (this.#failure) throw this.#failure;
    const target = this.published.length;
    const deadline = Date.now() + timeoutMs;
    while ((this.ws.length < target || this.sse.length < target) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const [name, received] of [
      ['ws', this.ws],
      ['sse', this.sse],
    ] as const) {
      if (received.length < target) throw new Error(`${name} subscriber has ${received.length} of ${target} messages`);
      received.forEach((envelope, index) => {
        const expected = { seq: index + 1, i: index };
        const actual = { seq: envelope.seq, i: (envelope.data as { i: number }).i };
        if (actual.seq !== expected.seq || actual.i !== expected.i) {
          throw new Error(`${name} subscriber: message ${index} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
        }
      });
    }
    if (this.published.some((seq, index) => seq !== index + 1)) throw new Error(`publish seqs out of order: ${this.published.join(',')}`);
    return { published: target };
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    this.#socket?.terminate();
    this.#source?.close();
    await this.#agent.close();
  }
}

/** The pids of a process's children (the cluster's workers). */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number).sort();
}

/** The pids of `pids` that are gone or dead (a zombie not yet reaped counts as dead). */
export function deadPids(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      // The state follows the command name in parentheses: `1234 (node) S ...`.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    } catch {
      return true;
    }
  });
}

/** Throws unless /healthz answers 200 on a fresh connection. */
export async function checkHealthz(url: string): Promise<void> {
  const dispatcher = new Agent();
  try {
    const response = await request(`${url}/healthz`, { dispatcher, headersTimeout: 5000 });
    const body = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`/healthz answered ${response.statusCode}: ${body}`);
  } finally {
    await dispatcher.close();
  }
}
