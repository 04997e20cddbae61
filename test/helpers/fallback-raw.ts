/**
 * Raw Engine.IO for the protocol tests: a WebSocket (the `ws` library, no
 * Engine.IO client) with an inbox, refused upgrades read as status + body,
 * and connections pinned to one worker of `--workers N` (identified by the
 * pid /healthz reports on that same connection).
 */
import net from 'node:net';
import { Client } from 'undici';
import WebSocket from 'ws';

export const SID = /^[A-Za-z0-9_-]{20}$/;

export class RawSocket {
  readonly frames: (string | Buffer)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.frames.push(isBinary ? data : data.toString());
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<RawSocket> {
    const socket = new RawSocket(new WebSocket(url.replace(/^http/, 'ws'), options));
    await new Promise((resolve, reject) => {
      socket.ws.once('open', resolve);
      socket.ws.once('error', reject);
    });
    return socket;
  }

  /** The frames received so far once there are at least `count`, pings (`2`) skipped when asked. */
  async next(count: number, { skipPings = true, timeoutMs = 5000 } = {}): Promise<(string | Buffer)[]> {
    const deadline = Date.now() + timeoutMs;
    const wanted = () => this.frames.filter((f) => !(skipPings && f === '2'));
    while (wanted().length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} frames, got ${JSON.stringify(wanted())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return wanted().slice(0, count);
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** An upgrade the server refuses: its HTTP status and body. */
export function refusedUpgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), options);
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        ws.terminate();
      });
    });
  });
}

/** One keep-alive connection and the worker pid that accepted it. */
export async function pinnedClient(baseUrl: string): Promise<{ client: Client; pid: number }> {
  const client = new Client(baseUrl, { pipelining: 1, keepAliveTimeout: 60_000 });
  const response = await client.request({ path: '/healthz', method: 'GET' });
  const { pid } = (await response.body.json()) as { pid: number };
  return { client, pid };
}

/** Connections until one lands on a worker other than `notPid` (the kernel spreads them). */
export async function clientOnOtherWorker(baseUrl: string, notPid: number): Promise<{ client: Client; pid: number }> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const pinned = await pinnedClient(baseUrl);
    if (pinned.pid !== notPid) return pinned;
    await pinned.client.close();
  }
  throw new Error(`every connection landed on worker ${notPid}`);
}

/**
 * A raw TCP connection that has asked /healthz (so its worker is known),
 * ready to be handed to `ws` as its connection for an upgrade.
 */
export async function socketOnOtherWorker(port: number, notPid: number): Promise<{ socket: net.Socket; pid: number }> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const pid = await new Promise<number>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1]);
        if (text.length < end + 4 + length) return;
        socket.off('data', onData);
        resolve((JSON.parse(text.slice(end + 4, end + 4 + length)) as { pid: number }).pid);
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    if (pid !== notPid) return { socket, pid };
    socket.destroy();
  }
  throw new Error(`every connection landed on worker ${notPid}`);
}
