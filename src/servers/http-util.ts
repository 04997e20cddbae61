/** Small helpers for the HTTP transports: JSON answers and bounded bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { payloadTooLarge, RequestError } from './errors.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof RequestError) {
    // After a refused body the rest of it may still be on the wire, so the
    // connection cannot be reused.
    const headers: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
    sendJson(res, error.status, { error: error.message, code: error.code }, headers);
    if (error.status === 413) res.once('finish', () => res.socket?.destroySoon());
    return;
  }
  sendJson(res, 500, { error: 'internal error', code: 'RTB_ERR_INTERNAL' });
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

/** True when no secret is set, or the request carries `Bearer <secret>`. */
export function isAuthorized(authorization: string | undefined, secret: string | undefined): boolean {
  if (secret === undefined) return true;
  return authorization === `Bearer ${secret}`;
}

export function requireMethod(req: IncomingMessage, res: ServerResponse, method: string): void {
  if (req.method === method || (method === 'GET' && req.method === 'HEAD')) return;
  res.setHeader('allow', method);
  throw new RequestError(`${req.method} not allowed here, use ${method}`, 405, 1008, 'RTB_ERR_METHOD');
}
