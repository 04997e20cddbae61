/**
 * Limits of the HTTP server against slow and malformed clients.
 *
 * A slowloris client opens connections and sends a request head a byte at
 * a time, so each connection stays open as long as the server waits for the
 * head (Node's default: 60 s). `--header-timeout` bounds the head and
 * `--body-timeout` the body after it; a request not in by then is answered
 * 408 and its connection closed. Node's parser enforces both (its
 * `headersTimeout` and `requestTimeout`, counted from the request's first
 * byte, so the whole request gets header + body timeout), checked every
 * `connectionsCheckingInterval`. A head over Node's 16 KB limit is answered
 * 431.
 */
import http, { type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from './config.js';

/**
 * How often Node looks for requests past their timeouts: a fraction of the
 * shortest one, at most 250 ms, so a slow request is cut within a quarter
 * second of its limit. The check walks only connections with a request
 * still arriving, not the idle or streaming ones.
 */
function checkingIntervalMs(config: ServerConfig): number {
  const shortest = Math.min(config.headerTimeoutMs, config.bodyTimeoutMs);
  return Math.max(50, Math.min(250, Math.floor(shortest / 4)));
}

/** The http.Server options that enforce the timeouts. */
export function serverLimits(config: ServerConfig): http.ServerOptions {
  return {
    headersTimeout: config.headerTimeoutMs,
    requestTimeout: config.headerTimeoutMs + config.bodyTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(config),
  };
}

interface ClientErrorAnswer {
  status: number;
  error: string;
  code: string;
}

function answerFor(code: string | undefined): ClientErrorAnswer {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        error: `request headers exceed the limit of ${http.maxHeaderSize} bytes`,
        code: 'RTB_ERR_HEADERS_TOO_LARGE',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: 'chunk extensions too large', code: 'RTB_ERR_PAYLOAD_TOO_LARGE' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: 'the request did not arrive in time', code: 'RTB_ERR_REQUEST_TIMEOUT' };
    default:
      return { status: 400, error: 'malformed HTTP request', code: 'RTB_ERR_BAD_HTTP' };
  }
}

/**
 * The server's `clientError` listener: a request Node's parser refused or
 * timed out. It is answered (unless an answer to it has already begun: more
 * bytes would corrupt it) and the connection closed, also when the client
 * never closes its side.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: ServerResponse })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = answerFor(error.code);
  const body = JSON.stringify({ error: answer.error, code: answer.code });
  socket.end(
    `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}\r\nconnection: close\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  // A client that reads nothing leaves the answer unsent: it is cut all the same.
  setTimeout(() => socket.destroy(), 1000).unref();
}
