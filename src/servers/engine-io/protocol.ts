/**
 * Engine.IO v4 on the wire: the error table and its HTTP answer, packet
 * encoding helpers over engine.io-parser, and the packet a hub message
 * becomes, built once per message and shared by every session that carries it.
 */
import type { ServerResponse } from 'node:http';
import { encodePacket, type Packet, type PacketType } from 'engine.io-parser';
import { sendText } from '../http-util.js';

/** Joins the packets of one HTTP long-polling payload. */
export const SEPARATOR = '\x1e';

/** The protocol's errors: `{"code":N,"message":"..."}` with 400, Forbidden with 403. */
export const ENGINE_ERRORS = {
  unknownTransport: { code: 0, message: 'Transport unknown', status: 400 },
  unknownSid: { code: 1, message: 'Session ID unknown', status: 400 },
  badHandshakeMethod: { code: 2, message: 'Bad handshake method', status: 400 },
  badRequest: { code: 3, message: 'Bad request', status: 400 },
  forbidden: { code: 4, message: 'Forbidden', status: 403 },
  unsupportedProtocolVersion: { code: 5, message: 'Unsupported protocol version', status: 400 },
} as const;

export type EngineError = (typeof ENGINE_ERRORS)[keyof typeof ENGINE_ERRORS];

export function errorBody(error: EngineError): string {
  return JSON.stringify({ code: error.code, message: error.message });
}

export function sendEngineError(res: ServerResponse, error: EngineError): void {
  sendText(res, error.status, 'application/json', errorBody(error));
}

/**
 * A text packet in its wire form, e.g. `4hello` or `2`. engine.io-parser
 * calls back synchronously for strings and buffers, so this returns.
 */
export function encodeText(type: PacketType, data?: string): string {
  let encoded = '';
  encodePacket({ type, data } as Packet, false, (value: string) => (encoded = value));
  return encoded;
}

/** A binary message as HTTP long-polling carries it: `b` + base64. */
export function encodeBinaryForPolling(data: Uint8Array): string {
  let encoded = '';
  encodePacket({ type: 'message', data }, false, (value: string) => (encoded = value));
  return encoded;
}

/**
 * An encoded text packet that many sessions send, encoded once. WebSocket
 * sessions send `text` (ws frames a string fastest, see websocket.ts); a
 * poll answer that carries only this packet sends the UTF-8 bytes, made at
 * most once.
 */
export class SharedPacket {
  #utf8: Buffer | undefined;

  constructor(readonly text: string) {}

  get utf8(): Buffer {
    this.#utf8 ??= Buffer.from(this.text);
    return this.#utf8;
  }

  /**
   * What it holds, for the history's byte budget (hub.ts): the text and its
   * UTF-8 copy, counted up front since a poll may make the copy later.
   */
  get byteSize(): number {
    return this.text.length + (this.#utf8?.length ?? Buffer.byteLength(this.text));
  }
}

/**
 * What a session queues: an encoded text packet, a binary message's bytes,
 * or a shared packet.
 */
export type OutPacket = string | Uint8Array | SharedPacket;

export function pollingTextOf(packet: OutPacket): string {
  if (typeof packet === 'string') return packet;
  if (packet instanceof SharedPacket) return packet.text;
  return encodeBinaryForPolling(packet);
}

/** Beyond this many bytes waiting for a client that does not read, it is dropped. */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

/** Approximate bytes a queued packet will take, for the backlog limit. */
export function sizeOf(packet: OutPacket): number {
  if (typeof packet === 'string') return packet.length;
  if (packet instanceof SharedPacket) return packet.text.length;
  return packet.byteLength;
}
