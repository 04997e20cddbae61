/**
 * Engine.IO sessions across `--workers`: the kernel hands each connection to
 * any worker, but a polling session's GETs and POSTs travel on separate
 * connections, and its upgrade on yet another. Each worker therefore also
 * listens on a private 127.0.0.1 port, and every sid it issues starts with
 * that port in base 36 (four characters). A worker that receives a request
 * for a sid another worker issued forwards it there: HTTP requests through
 * a keep-alive agent; WebSocket upgrades by handing the client's socket
 * itself to the owner (a `Handoff`, through the cluster primary's IPC, see
 * socket-handoff.ts). Piping upgrades through the relay instead would cost two more
 * descriptors per WebSocket for the session's whole life: at 100,000
 * sessions over 6 workers that is past the 20,000 a process may open (a
 * 100k run stalled at ~30,000 sessions that way). A handed-off socket costs
 * one, in its owner. Only ports the primary announced as workers' relay
 * ports are ever dialled.
 *
 * Hub messages already reach every worker in order, so a session's
 * subscriptions, kept by its owner, see every message.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { UpgradeHandoff } from './messages.js';
import { pathOf } from '../http-util.js';
import { stopReading } from './socket-handoff.js';
import type { ServerTransport } from '../transport.js';
import type { SessionRouter } from '../engine-io/endpoint.js';
import { ENGINE_ERRORS, sendEngineError } from '../engine-io/protocol.js';

const TAG = /^[0-9a-z]{4}/;
/** Hop-by-hop headers: they describe one connection, not the request. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

/** Moves an upgrade's socket to the process whose relay port is `owner`. */
export type Handoff = (owner: number, handoff: UpgradeHandoff, socket: Socket) => void;

export function tagOf(port: number): string {
  return port.toString(36).padStart(4, '0');
}

export class SessionRelay implements SessionRouter {
  readonly #server: http.Server;
  readonly #agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
  #port = 0;
  #tag = '';
  #peers = new Set<number>();

  private constructor(
    transport: ServerTransport,
    private readonly handoff: Handoff,
  ) {
    // Forwarded requests reach the transport directly: they are counted once,
    // on the client's connection, by the public server.
    this.#server = http.createServer({ keepAliveTimeout: 300_000 }, (req, res) => {
      const handle = transport.routes[pathOf(req.url)];
      if (handle) handle(req, res);
      else {
        res.writeHead(404, { 'content-length': 0 });
        res.end();
      }
    });
  }

  /** Listens on a private loopback port and routes `transport`'s sessions. */
  static start(
    transport: ServerTransport & { setRouter(router: SessionRouter | undefined): void },
    handoff: Handoff,
  ): Promise<SessionRelay> {
    const relay = new SessionRelay(transport, handoff);
    return new Promise((resolve, reject) => {
      relay.#server.once('error', reject);
      // exclusive: in a cluster worker, port 0 would otherwise be one port shared by all workers.
      relay.#server.listen({ port: 0, host: '127.0.0.1', backlog: 4096, exclusive: true }, () => {
        relay.#server.off('error', reject);
        relay.#port = (relay.#server.address() as net.AddressInfo).port;
        relay.#tag = tagOf(relay.#port);
        transport.setRouter(relay);
        resolve(relay);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  /** The relay ports of every worker (this one's included or not). */
  setPeers(ports: number[]): void {
    this.#peers = new Set(ports.filter((port) => port !== this.#port));
  }

  newSid(): string {
    return this.#tag + randomBytes(12).toString('base64url');
  }

  ownerOf(sid: string): number | undefined {
    const match = TAG.exec(sid);
    if (!match || match[0] === this.#tag) return undefined;
    const port = Number.parseInt(match[0], 36);
    return this.#peers.has(port) ? port : undefined;
  }

  forwardRequest(req: IncomingMessage, res: ServerResponse, owner: number): void {
    const upstream = http.request({
      host: '127.0.0.1',
      port: owner,
      method: req.method,
      path: req.url,
      headers: withoutHopByHop(req.headers),
      agent: this.#agent,
    });
    upstream.on('socket', (socket: net.Socket) => socket.setNoDelay(true));
    upstream.on('response', (answer: IncomingMessage) => {
      const headers = withoutHopByHop(answer.headers);
      // The owner refused the rest of a body: the client's connection cannot be reused either.
      if (answer.headers.connection === 'close') headers.connection = 'close';
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      // The owner is gone, and its sessions with it.
      if (!res.headersSent) sendEngineError(res, ENGINE_ERRORS.unknownSid);
      else if (!res.writableEnded) res.destroy();
    });
    // A client that leaves a held poll leaves it on the owner too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, owner: number): void {
    // http.Server hands 'upgrade' a net.Socket; anything else cannot travel.
    if (!(socket instanceof net.Socket)) {
      socket.destroy();
      return;
    }
    // After 'upgrade' nothing consumes the socket (readableFlowing is null):
    // what arrived after the head is still in its buffer.
    stopReading(socket);
    const buffered: Buffer[] = [head];
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) buffered.push(chunk);
    this.handoff(owner, { head: headOf(req), rest: Buffer.concat(buffered).toString('base64') }, socket);
  }

  close(): Promise<void> {
    this.#agent.destroy();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

/** The request head as the client sent it (names as sent, one header per line). */
function headOf(req: IncomingMessage): string {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}
