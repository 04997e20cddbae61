/**
 * The WebSocket row of the talk's table with permessage-deflate (RFC 7692):
 * what one update's frame costs when its envelope is compressed.
 *
 *   bytes per update = h(c) + c,  c = |deflate(envelope)| - 4,
 *   h(c) = 2 (c < 126), 4 (c <= 65,535), 10 (RFC 6455 5.2, server to client)
 *
 * where deflate is raw DEFLATE ended by a sync flush, whose 4-byte tail
 * 00 00 ff ff the sender strips (RFC 7692 7.2.1). With context takeover the
 * compressor keeps the previous updates in its window, which is the same as
 * compressing the update with them as a preset dictionary (zlib gives the
 * same bytes either way); without it each update is compressed alone.
 * Sizes come from node:zlib at its defaults (level 6, memLevel 8), as `ws`
 * compresses.
 *
 * What the data is matters more than anything else: rtbench's publisher sends
 * `x` repeated (the best case, as any repeated structure is), and a random
 * string of the same length is the worst; real updates lie between.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { rfc6455HeaderBytes } from './frame-size.js';

/** The update whose cost stands for the steady state: nine before it fill the window. */
export const STEADY_UPDATE = 10;
const TAIL_BYTES = 4;

export type DataKind = 'repeated' | 'random';

export interface DeflateCost {
  /** Compressed message bytes (c). */
  compressed: number;
  /** h(c) + c. */
  frame: number;
}

export interface DeflateRow {
  data: DataKind;
  payloadBytes: number;
  /** The envelope's bytes, uncompressed. */
  envelope: number;
  /** Plain RFC 6455: header + envelope. */
  plain: number;
  takeover: DeflateCost;
  noTakeover: DeflateCost;
}

/** A fixed pseudo-random string (xorshift32): the same figures on every run. */
function randomText(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let state = seed >>> 0 || 1;
  let text = '';
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    text += alphabet[(state >>> 0) % alphabet.length];
  }
  return text;
}

/** Update k of a channel as the hub serialises it. */
export function modelEnvelope(k: number, payloadBytes: number, data: DataKind): string {
  const text = data === 'repeated' ? 'x'.repeat(payloadBytes) : randomText(payloadBytes, k * 2654435761);
  return `{"channel":"ch-1","seq":${k},"event":"update","ts":${1764158400000.5 + k * 1000},"data":${JSON.stringify(text)}}`;
}

/** c for `message`, after `previous` (context takeover) or alone. */
export function deflatedBytes(message: string, previous: string, windowBits = 15): number {
  const window = Buffer.from(previous).subarray(-(2 ** windowBits));
  const options = { windowBits, finishFlush: constants.Z_SYNC_FLUSH, ...(window.length > 0 ? { dictionary: window } : {}) };
  return deflateRawSync(message, options).length - TAIL_BYTES;
}

export function deflateRow(payloadBytes: number, data: DataKind, windowBits = 15): DeflateRow {
  const updates = Array.from({ length: STEADY_UPDATE }, (_, i) => modelEnvelope(i + 1, payloadBytes, data));
  const update = updates[STEADY_UPDATE - 1]!;
  const envelope = Buffer.byteLength(update);
  const cost = (compressed: number): DeflateCost => ({ compressed, frame: rfc6455HeaderBytes(compressed) + compressed });
  return {
    data,
    payloadBytes,
    envelope,
    plain: rfc6455HeaderBytes(envelope) + envelope,
    takeover: cost(deflatedBytes(update, updates.slice(0, -1).join(''), windowBits)),
    noTakeover: cost(deflatedBytes(update, '', windowBits)),
  };
}

export function deflateModel(payloadBytes: number, windowBits = 15): DeflateRow[] {
  return [deflateRow(payloadBytes, 'repeated', windowBits), deflateRow(payloadBytes, 'random', windowBits)];
}
