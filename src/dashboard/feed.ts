/**
 * The dashboard's Server-Sent Events feed (`GET /events`): each page gets a
 * `hello` with everything so far, then `sample`, `run-event` and, at the
 * end, `done` with the final report. Bounded: at most MAX_PAGES pages at
 * once (more get 503), and a page that lets MAX_BACKLOG_BYTES pile up
 * unread is dropped rather than buffered for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_PAGES = 16;
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** A comment this often keeps proxies from closing an idle feed. */
const HEARTBEAT_MS = 15_000;

export class EventFeed {
  readonly #pages = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor() {
    this.#heartbeat = setInterval(() => this.#write(':\n\n'), HEARTBEAT_MS).unref();
  }

  get size(): number {
    return this.#pages.size;
  }

  /** Opens a page's feed with its first event; false (503 sent) when MAX_PAGES are open. */
  open(req: IncomingMessage, res: ServerResponse, hello: unknown): boolean {
    if (this.#pages.size >= MAX_PAGES) {
      const body = JSON.stringify({ error: `at most ${MAX_PAGES} dashboard pages at once`, code: 'RTB_ERR_TOO_MANY_PAGES' });
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return false;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(frame('hello', hello));
    this.#pages.add(res);
    req.socket.setNoDelay(true);
    res.once('close', () => this.#pages.delete(res));
    return true;
  }

  send(event: string, data: unknown): void {
    this.#write(frame(event, data));
  }

  /** Resolves once every page has been handed what was sent (or `limitMs` passed). */
  async flushed(limitMs: number): Promise<void> {
    const drains = [...this.#pages].map(
      (res) => new Promise<void>((resolve) => (res.writableLength === 0 ? resolve() : res.write('', () => resolve()))),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(drains), new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
    clearTimeout(timer);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#pages) res.end();
    this.#pages.clear();
  }

  #write(text: string): void {
    for (const res of this.#pages) {
      if (res.writableLength > MAX_BACKLOG_BYTES) {
        res.destroy();
        this.#pages.delete(res);
        continue;
      }
      res.write(text);
    }
  }
}

/** One event; JSON has no raw newline, so the data is one line. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
