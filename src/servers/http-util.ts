/** Small helpers for the HTTP transports: answers, refusals and bounded bodies. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { secretMatches } from './channel-auth.js';
import { payloadTooLarge, RequestError } from './errors.js';
import type { HttpHandler } from './transport.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * A whole answer with its length. Nothing is written once the client has
 * gone or an answer has begun (a held poll whose connection just closed).
 */
export function sendText(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}

/** How long a connection whose body was refused is still read (and discarded) after the answer. */
const LINGER_MS = 2000;

/**
 * After a refused body the rest of it may still be on the wire, so the
 * connection cannot be reused: once the answer is out the server ends its
 * side and reads what still comes for up to LINGER_MS before it closes (a
 * lingering close, as nginx does). Closing at once would reset a client
 * still sending, which then fails its write (EPIPE) before reading the 413.
 */
function closeWhenSent(res: ServerResponse): void {
  res.once('finish', () => {
    const socket = res.socket;
    if (!socket || socket.destroyed) return;
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

/** 413 without a body (what Engine.IO clients get), then the connection closes. */
export function sendTooLarge(res: ServerResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(413, { connection: 'close', 'content-length': 0 });
  res.end();
  closeWhenSent(res);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof RequestError) {
    const headers: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
    sendJson(res, error.status, { error: error.message, code: error.code }, headers);
    if (error.status === 413) closeWhenSent(res);
    return;
  }
  sendJson(res, 500, { error: 'internal error', code: 'RTB_ERR_INTERNAL' });
}

/** A GET route: other methods get 405, and what the handler throws becomes the error answer. */
export function getRoute(handle: HttpHandler): HttpHandler {
  return (req, res) => {
    try {
      requireMethod(req, res, 'GET');
      handle(req, res);
    } catch (error) {
      sendError(res, error);
    }
  };
}

/** Refuses a WebSocket upgrade on its raw socket with a JSON body. */
export function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  // The HTTP server dropped its own error listener when it handed the socket over.
  socket.on('error', ignoreError);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function ignoreError(): void {
  // A client that resets a refused upgrade has nothing left to tell.
}

/** Reads the whole body, refusing it as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(payloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestError('body is not valid JSON', 400, 1007, 'RTB_ERR_BAD_JSON');
  }
}

export function queryOf(url: string | undefined): URLSearchParams {
  const index = url?.indexOf('?') ?? -1;
  return new URLSearchParams(index === -1 ? '' : url!.slice(index + 1));
}

export function pathOf(url: string | undefined): string {
  const index = url?.indexOf('?') ?? -1;
  return index === -1 ? (url ?? '/') : url!.slice(0, index);
}

/** True when no secret is set, or the request carries `Bearer <secret>` (compared in constant time). */
export function isAuthorized(authorization: string | undefined, secret: string | undefined): boolean {
  if (secret === undefined) return true;
  if (authorization === undefined || !authorization.startsWith('Bearer ')) return false;
  return secretMatches(authorization.slice('Bearer '.length), secret);
}

/**
 * A publish body must say it is JSON. A web page can send a cross-site
 * `text/plain` POST without asking (no CORS preflight), but not an
 * `application/json` one, so this keeps other sites from publishing
 * through a visitor's browser when the server has no secret.
 */
export function requireJsonBody(req: IncomingMessage): void {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return;
  req.resume();
  throw new RequestError(
    `the body must be JSON sent as content-type: application/json, got ${JSON.stringify(req.headers['content-type']?.slice(0, 100) ?? null)}`,
    415,
    1003,
    'RTB_ERR_UNSUPPORTED_MEDIA_TYPE',
  );
}

export function requireMethod(req: IncomingMessage, res: ServerResponse, method: string): void {
  if (req.method === method || (method === 'GET' && req.method === 'HEAD')) return;
  res.setHeader('allow', method);
  throw new RequestError(`${req.method} not allowed here, use ${method}`, 405, 1008, 'RTB_ERR_METHOD');
}
