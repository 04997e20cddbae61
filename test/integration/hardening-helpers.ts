/**
 * What the hardening tests share: a server process whose workers are
 * watched (pids, stderr), its memory read from /proc, a /ws peer with an
 * inbox, an ordered subscriber, and raw Engine.IO / Socket.IO sessions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import WebSocket from 'ws';
import { startServerProcess } from '../../dist/harness/server-process.js';
import type { Envelope } from '../../src/servers/hub.js';
import { RawSocket } from '../helpers/fallback-raw.js';

/** Resident set size of a process in bytes (VmRSS). */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** The pids whose parent is `pid` (a cluster primary's workers). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children.sort((a, b) => a - b);
}

export interface WatchedServer {
  url: string;
  port: number;
  pid: number;
  /** What the server wrote to stderr since it listened (a worker restart says so there). */
  stderr: string[];
  /** Set when the server process exited on its own. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/**
 * `rtbench serve` from dist/ on 127.0.0.1, port 0, with its stderr and exit
 * watched. `exposeGc`: started with --expose-gc, so /healthz collects
 * garbage before it answers and RSS read after it is what the server holds.
 */
export async function startWatched(args: string[], { exposeGc = false } = {}): Promise<WatchedServer> {
  const stderr: string[] = [];
  let unexpected: string | undefined;
  const saved = process.env.NODE_OPTIONS;
  // startServerProcess spawns before its first await: the variable is read at once, then restored.
  if (exposeGc) process.env.NODE_OPTIONS = `${saved ?? ''} --expose-gc`.trim();
  const starting = startServerProcess(['--host', '127.0.0.1', ...args], {
    onStderrLine: (line) => stderr.push(line),
    onUnexpectedExit: (how) => {
      unexpected = how;
    },
  });
  if (saved === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved;
  const server = await starting;
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    pid: server.pid,
    stderr,
    exited: () => unexpected,
    stop: server.stop,
  };
}

export async function publishJson(baseUrl: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(`${baseUrl}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(url, { headers });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

/** `[[[...]]]` nested `depth` levels deep, as text. */
export const nestedJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A /ws client: every text message parsed into the inbox, the close code and reason kept. */
export class WsPeer {
  readonly inbox: Record<string, unknown>[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(baseUrl: string): Promise<WsPeer> {
    const peer = new WsPeer(new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`));
    await new Promise((resolve, reject) => {
      peer.ws.once('open', resolve);
      peer.ws.once('error', reject);
    });
    return peer;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async next(count: number, timeoutMs = 5000): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} messages, got ${JSON.stringify(this.inbox)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.inbox.slice(0, count);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The envelopes a /ws peer received, in arrival order. */
export function envelopesIn(peer: WsPeer): Envelope[] {
  return peer.inbox.filter((m) => m.op === undefined) as unknown as Envelope[];
}

/** A WebSocket-only Engine.IO session at `path` (`/engine.io/` or `/socket.io/`), its open packet read. */
export async function engineSession(baseUrl: string, path: string): Promise<RawSocket> {
  const socket = await RawSocket.open(`${baseUrl}${path}?EIO=4&transport=websocket`);
  const [open] = await socket.next(1);
  if (typeof open !== 'string' || !open.startsWith('0{')) throw new Error(`expected an open packet, got ${String(open)}`);
  return socket;
}

/** A Socket.IO session joined to the default namespace (`40` answered); frames after that start at index 2. */
export async function socketIoSession(baseUrl: string): Promise<RawSocket> {
  const socket = await engineSession(baseUrl, '/socket.io/');
  socket.send('40');
  const [, connect] = await socket.next(2);
  if (typeof connect !== 'string' || !connect.startsWith('40{')) throw new Error(`expected CONNECT, got ${String(connect)}`);
  return socket;
}

/** Parsed JSON of an Engine.IO message frame (`4...`). */
export const engineMessage = (frame: string | Buffer | undefined) => JSON.parse(String(frame).slice(1)) as Record<string, unknown>;
