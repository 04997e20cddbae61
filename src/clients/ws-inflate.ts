/**
 * The client side of permessage-deflate (RFC 7692) for the lean WebSocket
 * client: the offer it sends, the check of the server's answer, and the
 * inflation of compressed messages with node:zlib, in arrival order.
 *
 * With context takeover (the default) the server compresses every message
 * with the window of the ones before, so a connection keeps one inflate
 * stream for its life: a zlib window of 2^server_max_window_bits bytes and
 * zlib's state, which is what a deflate client costs per connection
 * (`npm run bench:clients`). With `server_no_context_takeover` each message
 * stands alone and is inflated in one synchronous call with nothing kept.
 */
import type { Socket } from 'node:net';
import { constants, createInflateRaw, type InflateRaw, inflateRawSync } from 'node:zlib';

/** What the client offers: deflate, and that it can take a client_max_window_bits answer (as browsers offer). */
export const DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';
/** RFC 7692 7.2.2: the sender strips this empty stored block's tail from each message; the receiver puts it back. */
export const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/** Largest message inflated (a small compressed frame can inflate to a great deal); beyond it the connection closes. */
export const MAX_INFLATED_BYTES = 8 * 1024 * 1024;
/** Messages waiting for the inflate stream at most; beyond it the socket stops reading until they are done. */
export const MAX_PENDING_MESSAGES = 64;

export interface DeflateParameters {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/**
 * The server's Sec-WebSocket-Extensions answer to DEFLATE_OFFER, or why it
 * is no valid one (RFC 7692 7.1: one permessage-deflate, known parameters,
 * each once, window bits 8-15).
 */
export function parseDeflateAnswer(value: string): DeflateParameters | Error {
  const [name, ...parameters] = value.split(';').map((part) => part.trim());
  if (name !== 'permessage-deflate' || value.includes(',')) return new Error(`WebSocket handshake: unexpected extensions "${value}"`);
  const result: DeflateParameters = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  const seen = new Set<string>();
  for (const parameter of parameters) {
    const [key = '', raw] = parameter.split('=').map((part) => part.trim());
    if (seen.has(key)) return new Error(`WebSocket handshake: permessage-deflate parameter ${key} given twice`);
    seen.add(key);
    const bits = raw === undefined ? Number.NaN : Number(raw.replace(/^"|"$/g, ''));
    if (key === 'server_no_context_takeover' && raw === undefined) result.serverNoContextTakeover = true;
    else if (key === 'client_no_context_takeover' && raw === undefined) result.clientNoContextTakeover = true;
    else if (key === 'server_max_window_bits' && bits >= 8 && bits <= 15 && Number.isInteger(bits)) result.serverMaxWindowBits = bits;
    else if (key === 'client_max_window_bits' && bits >= 8 && bits <= 15 && Number.isInteger(bits)) result.clientMaxWindowBits = bits;
    else return new Error(`WebSocket handshake: invalid permessage-deflate parameter "${parameter}"`);
  }
  return result;
}

export type MessageHandler<Client> = (client: Client, payload: Buffer, receivedAtMs: number) => void;

/**
 * Turns one connection's data messages back into their text, in the order
 * they arrived: a message sent uncompressed (below the server's threshold)
 * waits behind compressed ones still in the inflate stream.
 */
export class MessageInflater<Client> {
  readonly #parameters: DeflateParameters;
  readonly #socket: Socket;
  #stream: InflateRaw | undefined;
  #output: Buffer[] = [];
  #outputBytes = 0;
  #pending = 0;
  #closed = false;

  constructor(parameters: DeflateParameters, socket: Socket) {
    this.#parameters = parameters;
    this.#socket = socket;
  }

  /** Hands the message's text to `onMessage`, now or once the messages before it are inflated. */
  message(client: Client, payload: Buffer, compressed: boolean, receivedAtMs: number, onMessage: MessageHandler<Client>): void {
    if (this.#parameters.serverNoContextTakeover) {
      if (compressed) payload = this.#inflateAlone(payload);
      if (!this.#closed) onMessage(client, payload, receivedAtMs);
      return;
    }
    if (!compressed && this.#pending === 0) {
      onMessage(client, payload, receivedAtMs);
      return;
    }
    const stream = this.#streamFor();
    if (compressed) {
      stream.write(payload);
      stream.write(DEFLATE_TAIL);
    }
    if (++this.#pending === MAX_PENDING_MESSAGES) this.#socket.pause();
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      if (this.#closed) return;
      const output = compressed ? Buffer.concat(this.#output, this.#outputBytes) : payload;
      this.#output = [];
      this.#outputBytes = 0;
      if (--this.#pending === 0) this.#socket.resume();
      onMessage(client, output, receivedAtMs);
    });
  }

  /** Frees the inflate stream's memory; later callbacks do nothing. */
  close(): void {
    this.#closed = true;
    this.#stream?.close();
    this.#stream = undefined;
  }

  #inflateAlone(payload: Buffer): Buffer {
    try {
      return inflateRawSync(Buffer.concat([payload, DEFLATE_TAIL]), {
        windowBits: this.#parameters.serverMaxWindowBits,
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_INFLATED_BYTES,
      });
    } catch (error) {
      this.#fail(error as Error);
      return Buffer.alloc(0);
    }
  }

  #streamFor(): InflateRaw {
    if (this.#stream) return this.#stream;
    const stream = createInflateRaw({ windowBits: this.#parameters.serverMaxWindowBits });
    stream.on('data', (chunk: Buffer) => {
      this.#outputBytes += chunk.length;
      if (this.#outputBytes > MAX_INFLATED_BYTES) this.#fail(new Error(`inflated message over ${MAX_INFLATED_BYTES} bytes`));
      else this.#output.push(chunk);
    });
    stream.on('error', (error) => this.#fail(error));
    this.#stream = stream;
    return stream;
  }

  /** Bad compressed data or a message too big: the connection ends with the error (the client's close listener reports it). */
  #fail(error: Error): void {
    if (this.#closed) return;
    this.close();
    this.#socket.destroy(new Error(`permessage-deflate: ${error.message}`));
  }
}
