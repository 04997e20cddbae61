/**
 * One port, three ways in: HTTP/1.1, HTTP/2 with prior knowledge (h2c) and
 * TLS (HTTP/2 or HTTP/1.1, chosen by ALPN). The first bytes of a connection
 * say which: h2c opens with the fixed 24-byte preface of RFC 9113 section
 * 3.4 (`PRI * HTTP/2.0...`), TLS with a handshake record (type 22), and
 * anything else is HTTP/1.1. The sniff runs in front of the HTTP server's
 * own connection listener (and behind the connection gate), so every way
 * in shares the port, the gate and, under --workers, the cluster's accept
 * handling; docs/architecture.md says why a second port was not chosen.
 *
 * Node's HTTP/1.1 parser reads a socket's handle directly once it has it,
 * so the sniff must decide before handing over, from what it has read in
 * JavaScript, which it puts back (`unshift`). Both Node's HTTP/2 session
 * and its TLS socket read such put-back bytes first. The HTTP server's
 * header timeout normally counts from the connect; a connection that sends
 * nothing is held here, so the sniff answers 408 at the same deadline.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { answerClientError } from '../http-limits.js';

export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const TLS_HANDSHAKE_RECORD = 0x16;

export type WayIn = 'http1' | 'h2c' | 'tls';

/** The protocol a connection's first bytes announce; undefined while they could still be the h2c preface. */
export function classifyFirstBytes(head: Buffer): WayIn | undefined {
  if (head.length === 0) return undefined;
  if (head[0] === TLS_HANDSHAKE_RECORD) return 'tls';
  const compared = Math.min(head.length, H2_PREFACE.length);
  if (!head.subarray(0, compared).equals(H2_PREFACE.subarray(0, compared))) return 'http1';
  return head.length >= H2_PREFACE.length ? 'h2c' : undefined;
}

/** Where each protocol's connections go: a server's 'connection' event, or the HTTP/1.1 listeners. */
export interface SniffTargets {
  h2c?: { emit(event: 'connection', socket: Socket): boolean };
  tls?: { emit(event: 'connection', socket: Socket): boolean };
  headerTimeoutMs: number;
}

const kSniff = Symbol('rtbench.protocolSniff');

interface SniffState {
  sniffer: ProtocolSniff;
  /** At most the preface's 24 bytes are held before a decision; a longer first read is decided at once. */
  seen: Buffer;
  deadline: NodeJS.Timeout;
}

type SniffedSocket = Socket & { [kSniff]?: SniffState };

class ProtocolSniff {
  constructor(
    readonly server: http.Server,
    readonly http1: ((socket: Socket) => void)[],
    readonly targets: SniffTargets,
  ) {}

  start(socket: Socket): void {
    const sniffed = socket as SniffedSocket;
    sniffed[kSniff] = { sniffer: this, seen: Buffer.alloc(0), deadline: setTimeout(onDeadline, this.targets.headerTimeoutMs, socket) };
    socket.on('data', onSniffData);
    socket.on('error', onSniffError);
    socket.once('close', onSniffClose);
  }

  handOver(socket: Socket, way: WayIn, seen: Buffer): void {
    stopSniffing(socket as SniffedSocket);
    socket.pause();
    socket.unshift(seen);
    const target = way === 'h2c' ? this.targets.h2c : way === 'tls' ? this.targets.tls : undefined;
    if (target) {
      // Not resumed: the HTTP/2 session and the TLS socket read the put-back bytes themselves.
      target.emit('connection', socket);
      return;
    }
    for (const listener of this.http1) listener.call(this.server, socket);
    socket.resume();
  }
}

function stopSniffing(socket: SniffedSocket): void {
  const state = socket[kSniff];
  if (!state) return;
  clearTimeout(state.deadline);
  socket[kSniff] = undefined;
  socket.off('data', onSniffData);
  socket.off('error', onSniffError);
  socket.off('close', onSniffClose);
}

// Module-level listeners: no closure per connection.
function onSniffData(this: SniffedSocket, data: Buffer): void {
  const state = this[kSniff];
  if (!state) return;
  const seen = state.seen.length === 0 ? data : Buffer.concat([state.seen, data]);
  const way = classifyFirstBytes(seen);
  if (way === undefined) {
    state.seen = seen;
    return;
  }
  // A way in without a server for it (TLS without a certificate) goes to HTTP/1.1, which answers 400.
  const served = way === 'http1' || state.sniffer.targets[way] ? way : 'http1';
  state.sniffer.handOver(this, served, seen);
}

function onSniffError(this: SniffedSocket): void {
  stopSniffing(this);
  this.destroy();
}

function onSniffClose(this: SniffedSocket): void {
  stopSniffing(this);
}

function onDeadline(socket: SniffedSocket): void {
  stopSniffing(socket);
  socket.on('error', ignore);
  answerClientError(Object.assign(new Error('no request before the header timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
}

function ignore(): void {
  // A client cut for sending nothing has nothing left to tell.
}

/**
 * Puts the sniff in front of the HTTP/1.1 server's connection listeners
 * registered so far (Node's parser); call it right after creating the
 * server, before other connection listeners (byte tallies, the gate).
 */
export function installProtocolSniff(server: http.Server, targets: SniffTargets): void {
  const http1 = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const sniffer = new ProtocolSniff(server, http1, targets);
  server.on('connection', (socket: Socket) => sniffer.start(socket));
}
