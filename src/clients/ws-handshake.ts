/**
 * The client side of the RFC 6455 opening handshake (section 4.1), for the
 * WebSocket client and the fallback client's upgrade: the GET with a fresh
 * key, the check of the answer, then the socket's frames handed to the
 * client. A 101 alone is not enough: the Sec-WebSocket-Accept must be the
 * one the key asks for, or whatever answered (a proxy, a server that does not
 * speak WebSocket) would be read as frames.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { epochMs } from '../metrics/clock.js';
import { FrameReader, type Frame } from './ws-frames.js';
import { takeRandom } from './random-pool.js';

/** Hashed with the key into the accept value (RFC 6455 section 1.3). */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEAD_END = Buffer.from('\r\n\r\n');
const ACCEPT_HEADER = 'sec-websocket-accept:';
const EXTENSIONS_HEADER = 'sec-websocket-extensions:';
const EMPTY = Buffer.alloc(0);

/**
 * What happens on one client's upgraded socket. The handlers take their
 * client as an argument, so each client class holds one handlers object for
 * all its connections instead of closures per connection.
 */
export interface UpgradeHandlers<Client> {
  /** The server switched protocols; frames follow through onFrame. `extensions`: its Sec-WebSocket-Extensions, if any. */
  onUpgraded(client: Client, extensions: string | undefined): void;
  /** The answer was no WebSocket upgrade; the socket is already destroyed. */
  onRefused(client: Client, error: Error): void;
  onFrame(client: Client, frame: Frame, receivedAtMs: number): void;
}

/**
 * `extensions`: a Sec-WebSocket-Extensions offer (permessage-deflate), after the other headers;
 * `extra`: more header lines, each ending in CRLF (an adapter's cookie or token).
 */
export function upgradeRequest(path: string, host: string, key: string, extensions?: string, extra = ''): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
    (extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) +
    `${extra}\r\n`
  );
}

/** The value of a header of an answer head (its lines), by its lower-case name with the colon. */
function headerValue(lines: string[], prefix: string): string | undefined {
  return lines
    .find((line) => line.toLowerCase().startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + ACCEPT_GUID)
    .digest('base64');
}

/**
 * Why the answer head (without its blank line) is no upgrade for `key`;
 * undefined when it is one. An extension in the answer that the request did
 * not offer fails the handshake too (RFC 6455 4.1).
 */
export function upgradeRefusal(head: string, key: string, offered = false): string | undefined {
  const lines = head.split('\r\n');
  if (!lines[0]!.startsWith('HTTP/1.1 101')) return `WebSocket handshake refused: ${lines[0]}`;
  const accept = headerValue(lines, ACCEPT_HEADER);
  if (accept !== acceptFor(key)) return `WebSocket handshake: Sec-WebSocket-Accept ${accept ?? 'missing'} does not match the key`;
  const extensions = headerValue(lines, EXTENSIONS_HEADER);
  if (extensions !== undefined && !offered) return `WebSocket handshake: extensions "${extensions}" were not offered`;
  return undefined;
}

/**
 * Takes a connecting socket through the handshake (the request once
 * connected, then the answer) and from then on reads its frames. The
 * handshake's data listener goes away with the handshake, so frame reading
 * costs no check per chunk.
 */
export function upgradeSocket<Client>(
  socket: Socket,
  path: string,
  host: string,
  client: Client,
  handlers: UpgradeHandlers<Client>,
  extensions?: string,
  extraHeaders = '',
): void {
  const nonce = Buffer.allocUnsafe(16);
  takeRandom(nonce, 0, 16);
  const key = nonce.toString('base64');
  let received: Buffer = EMPTY;
  const readAnswer = (data: Buffer) => {
    received = received.length === 0 ? data : Buffer.concat([received, data]);
    const end = received.indexOf(HEAD_END);
    if (end === -1) return;
    socket.off('data', readAnswer);
    const head = received.toString('latin1', 0, end);
    const refusal = upgradeRefusal(head, key, extensions !== undefined);
    if (refusal) {
      socket.destroy();
      handlers.onRefused(client, new Error(refusal));
      return;
    }
    handlers.onUpgraded(client, headerValue(head.split('\r\n'), EXTENSIONS_HEADER));
    readFrames(socket, client, handlers, received.subarray(end + HEAD_END.length));
  };
  socket.once('connect', () => socket.write(upgradeRequest(path, host, key, extensions, extraHeaders)));
  socket.on('data', readAnswer);
}

/** Kept apart from upgradeSocket so the listener's closure holds the reader, not the handshake's bytes. */
function readFrames<Client>(socket: Socket, client: Client, handlers: UpgradeHandlers<Client>, rest: Buffer): void {
  const reader = new FrameReader();
  const onData = (data: Buffer) => {
    const receivedAt = epochMs();
    reader.push(data, (frame) => handlers.onFrame(client, frame, receivedAt));
  };
  socket.on('data', onData);
  if (rest.length > 0) onData(rest);
}
