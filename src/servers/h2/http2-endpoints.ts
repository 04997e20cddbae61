/**
 * HTTP/2 for `rtbench serve --h2`: a cleartext HTTP/2 server (h2c, prior
 * knowledge) and, when there is a certificate, a TLS server that speaks
 * HTTP/2 or HTTP/1.1 as the client's ALPN asks (a browser reaches HTTP/2
 * only over TLS). Neither listens: protocol-sniff.ts hands them the
 * connections of the app's one port.
 *
 * Both answer with the app's own request handler through Node's HTTP/2
 * compatibility API (the request and response objects of `node:http`), so
 * every route, check and envelope is the same code as over HTTP/1.1; only
 * SSE, which writes framed bytes to the socket itself over HTTP/1.1, picks
 * a stream writer (stream-writer.ts).
 *
 * Bounds: nghttp2's own per session (100 concurrent streams, 10 MB of
 * session memory, 128 header pairs: Node's defaults); a TLS handshake must
 * be done within the header timeout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, { type Http2SecureServer, type Http2Server, type Http2Session } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TlsCredentials {
  /** PEM. */
  key: string;
  cert: string;
}

export interface Http2Endpoints {
  h2c: Http2Server;
  tls: Http2SecureServer | undefined;
  /** HTTP/2 sessions open now (each a client connection). */
  readonly sessions: number;
  /** Sends GOAWAY to every session, and cuts what is still open after `graceMs`. */
  close(graceMs?: number): void;
}

/** How long a closing server lets sessions finish their streams. */
const CLOSE_GRACE_MS = 1000;

export function createHttp2Endpoints(
  handle: RequestHandler,
  config: ServerConfig,
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Http2Endpoints {
  const sessions = new Set<Http2Session>();
  // The compatibility API's request and response mirror node:http's; the handler reads and writes only what both have.
  const handler = handle as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;
  const track = (session: Http2Session) => {
    sessions.add(session);
    session.on('error', ignore);
    session.once('close', () => sessions.delete(session));
  };

  const h2c = http2.createServer({}, handler);
  h2c.on('session', track);
  h2c.on('sessionError', ignore);

  let tls: Http2SecureServer | undefined;
  if (config.tls) {
    tls = http2.createSecureServer(
      { key: config.tls.key, cert: config.tls.cert, allowHTTP1: true, handshakeTimeout: config.headerTimeoutMs },
      handler,
    );
    tls.on('session', track);
    tls.on('sessionError', ignore);
    tls.on('tlsClientError', ignore);
    // HTTP/1.1 over TLS (allowHTTP1) may upgrade to WebSocket as over cleartext: wss:// on the same port.
    if (onUpgrade) tls.on('upgrade', onUpgrade);
  }

  return {
    h2c,
    tls,
    get sessions() {
      return sessions.size;
    },
    close(graceMs = CLOSE_GRACE_MS) {
      for (const session of sessions) session.close();
      setTimeout(() => {
        for (const session of sessions) session.destroy();
      }, graceMs).unref();
    },
  };
}

function ignore(): void {
  // A session or handshake that fails ends that connection; the client sees it, the server goes on.
}
