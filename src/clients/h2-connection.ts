/**
 * One HTTP/2 connection of a lean client (the `+h2` variants): cleartext
 * with prior knowledge (h2c), one per simulated client as separate browsers
 * would each have their own. Each request is a stream; its response comes
 * to the same handlers an HttpConnection calls, so the polling and SSE
 * clients run unchanged over it.
 *
 * Built on Node's HTTP/2 client session (nghttp2) over a net.Socket the
 * byte meter counts, not hand-written: framing, HPACK with its dynamic
 * table, flow control and SETTINGS are a protocol of their own, and the
 * encoder's choices are part of what is measured (nghttp2's are those of
 * curl and of many servers). What it costs per connection is measured by
 * `npm run bench:clients` (README).
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import net, { type Socket } from 'node:net';
import { epochMs } from '../metrics/clock.js';
import { h2HeaderList } from './h2-head.js';
import { type ConnectionHandlers, type HttpLink, socketConnected } from './http-connection.js';
import { connectOptions, meterSocket, type ClientEnvironment, type ClientTarget } from './load-client.js';

const kConnection = Symbol('rtbench.h2Connection');
type OwnedStream = ClientHttp2Stream & { [kConnection]?: Http2Connection };

export class Http2Connection implements HttpLink {
  readonly socket: Socket;
  readonly session: ClientHttp2Session;
  #error: Error | undefined;
  #closed = false;

  constructor(
    env: ClientEnvironment,
    target: ClientTarget,
    readonly handlers: ConnectionHandlers,
  ) {
    this.socket = meterSocket(env, net.connect(connectOptions(target)));
    this.socket.on('error', (error) => (this.#error ??= error));
    this.session = http2.connect(`http://${target.host}:${target.port}`, { createConnection: () => this.socket });
    this.session.on('error', (error) => (this.#error ??= error));
    // The session closes when its socket does (and the socket when the session is destroyed).
    this.socket.once('close', () => this.#onClose());
  }

  connected(): Promise<void> {
    return socketConnected(this.socket);
  }

  send(head: string): void {
    if (this.#closed || this.session.destroyed) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of h2HeaderList(head)) headers[name] = value;
    const stream = this.session.request(headers, { endStream: true }) as OwnedStream;
    stream[kConnection] = this;
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onStreamError);
  }

  /** Ends the connection (GOAWAY, then the socket); a `cause` (an answer that ended it) is what onClose reports. */
  close(cause?: Error): void {
    this.#error ??= cause;
    if (this.session.destroyed) return;
    this.session.close();
    // A server that never answers the GOAWAY does not keep the socket.
    setTimeout(() => this.session.destroy(), 1000).unref();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.session.destroyed) this.session.destroy();
    this.handlers.onClose(this.#error);
  }

  streamFailed(error: Error): void {
    this.#error ??= error;
    this.session.destroy();
  }
}

// Module-level stream listeners: no closures per request.
function onResponse(this: OwnedStream, headers: IncomingHttpHeaders): void {
  const connection = this[kConnection]!;
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(':') && value !== undefined) map.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  connection.handlers.onHead({ status: Number(headers[':status']), headers: map }, epochMs());
}

function onData(this: OwnedStream, chunk: Buffer): void {
  this[kConnection]!.handlers.onBody(chunk, epochMs());
}

function onEnd(this: OwnedStream): void {
  this[kConnection]!.handlers.onEnd(epochMs());
}

function onStreamError(this: OwnedStream, error: Error): void {
  // A reset stream ends the client's connection: the client reconnects as after any loss.
  this[kConnection]!.streamFailed(error);
}
