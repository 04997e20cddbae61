/**
 * Engine.IO sessions across `--workers`: the kernel hands each connection to
 * any worker, but a polling session's GETs and POSTs travel on separate
 * connections, and its upgrade on yet another. Each worker therefore also
 * listens on a private 127.0.0.1 port, and every sid it issues starts with
 * that port in base 36 (four characters). A worker that receives a request
 * for a sid another worker issued forwards it there: HTTP requests through
 * a keep-alive agent, WebSocket upgrades by piping the raw sockets. Only
 * ports the primary announced as workers' relay ports are ever dialled.
 *
 * Hub messages already reach every worker in order, so a session's
 * subscriptions, kept by its owner, see every message.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { pathOf } from '../http-util.js';
import type { ServerTransport } from '../transport.js';
import type { SessionRouter } from './endpoint.js';
import { ENGINE_ERRORS, errorBody } from './protocol.js';
import { writeError } from './session.js';

const TAG = /^[0-9a-z]{4}/;
/** Hop-by-hop headers: they describe one connection, not the request. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade'];

export function tagOf(port: number): string {
  return port.toString(36).padStart(4, '0');
}

export class SessionRelay implements SessionRouter {
  readonly #server: http.Server;
  readonly #agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
  #port = 0;
  #tag = '';
  #peers = new Set<number>();

  private constructor(transport: ServerTransport) {
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
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (transport.upgrade && transport.routes[pathOf(req.url)]) transport.upgrade(req, socket, head);
      else socket.destroy();
    });
  }

  /** Listens on a private loopback port and routes `transport`'s sessions. */
  static start(transport: ServerTransport & { setRouter(router: SessionRouter | undefined): void }): Promise<SessionRelay> {
    const relay = new SessionRelay(transport);
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
      if (!res.headersSent) writeError(res, ENGINE_ERRORS.unknownSid);
      else if (!res.writableEnded) res.destroy();
    });
    // A client that leaves a held poll leaves it on the owner too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, owner: number): void {
    const upstream = net.connect({ port: owner, host: '127.0.0.1', noDelay: true });
    let requestHead = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) requestHead += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    upstream.write(`${requestHead}\r\n`);
    if (head.length > 0) upstream.write(head);
    let connected = false;
    upstream.once('connect', () => (connected = true));
    const cut = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', () => {
      if (connected || !socket.writable) return cut();
      const body = errorBody(ENGINE_ERRORS.unknownSid);
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    socket.on('error', cut);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  close(): Promise<void> {
    this.#agent.destroy();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}
