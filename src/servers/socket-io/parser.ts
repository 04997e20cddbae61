/**
 * Socket.IO v5 packets, as carried in Engine.IO message packets:
 *   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
 * followed, for BINARY_EVENT / BINARY_ACK, by one binary message per
 * attachment that replaces the `{"_placeholder":true,"num":N}` objects.
 */

export const SIO = {
  connect: 0,
  disconnect: 1,
  event: 2,
  ack: 3,
  connectError: 4,
  binaryEvent: 5,
  binaryAck: 6,
} as const;

export interface SioPacket {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
  /** Binary attachments that follow (BINARY_EVENT / BINARY_ACK only). */
  attachments: number;
}

export class SioParseError extends Error {
  readonly code = 'RTB_ERR_SOCKET_IO_PARSE';
}

/** Event names the client library keeps for itself; a peer may not send them. */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

const isDigit = (code: number) => code >= 48 && code <= 57;

export function decodeSioPacket(text: string): SioPacket {
  const type = text.charCodeAt(0) - 48;
  if (!(type >= SIO.connect && type <= SIO.binaryAck)) throw new SioParseError(`unknown packet type ${JSON.stringify(text.charAt(0))}`);
  let i = 1;
  let attachments = 0;
  if (type === SIO.binaryEvent || type === SIO.binaryAck) {
    const dash = text.indexOf('-', i);
    const count = dash === -1 ? '' : text.slice(i, dash);
    if (!/^\d{1,6}$/.test(count)) throw new SioParseError('binary packet without an attachment count');
    attachments = Number(count);
    i = dash + 1;
  }
  let nsp = '/';
  if (text.charAt(i) === '/') {
    const comma = text.indexOf(',', i);
    const end = comma === -1 ? text.length : comma;
    nsp = text.slice(i, end);
    i = comma === -1 ? end : end + 1;
  }
  let id: number | undefined;
  const idStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  if (i > idStart) {
    if (i - idStart > 15) throw new SioParseError('ack id too long');
    id = Number(text.slice(idStart, i));
  }
  let data: unknown;
  if (i < text.length) {
    try {
      data = JSON.parse(text.slice(i));
    } catch {
      throw new SioParseError('payload is not valid JSON');
    }
  }
  const packet: SioPacket = { type, nsp, data, attachments };
  if (id !== undefined) packet.id = id;
  if (!payloadFits(packet)) throw new SioParseError(`invalid payload for packet type ${type}`);
  return packet;
}

function payloadFits({ type, data }: SioPacket): boolean {
  switch (type) {
    case SIO.connect:
      return data === undefined || isPlainObject(data);
    case SIO.disconnect:
      return data === undefined;
    case SIO.connectError:
      return typeof data === 'string' || isPlainObject(data);
    case SIO.event:
    case SIO.binaryEvent:
      return (
        Array.isArray(data) &&
        data.length > 0 &&
        (typeof data[0] === 'number' || (typeof data[0] === 'string' && !RESERVED_EVENTS.has(data[0])))
      );
    default:
      return Array.isArray(data);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface EncodedSioPacket {
  text: string;
  attachments: Buffer[];
}

/**
 * Encodes a packet; binary values in the data become placeholders and
 * attachments, and EVENT / ACK turn into their BINARY_ variants.
 */
export function encodeSioPacket(packet: { type: number; nsp?: string; id?: number; data?: unknown }): EncodedSioPacket {
  const attachments: Buffer[] = [];
  const data = packet.data === undefined ? undefined : extractBinary(packet.data, attachments);
  let type = packet.type;
  if (attachments.length > 0 && type === SIO.event) type = SIO.binaryEvent;
  if (attachments.length > 0 && type === SIO.ack) type = SIO.binaryAck;
  let text = String(type);
  if (attachments.length > 0) text += `${attachments.length}-`;
  if (packet.nsp !== undefined && packet.nsp !== '/') text += `${packet.nsp},`;
  if (packet.id !== undefined) text += String(packet.id);
  if (data !== undefined) text += JSON.stringify(data);
  return { text, attachments };
}

function extractBinary(value: unknown, out: Buffer[]): unknown {
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    const buffer = value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    out.push(buffer);
    return { _placeholder: true, num: out.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => extractBinary(item, out));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = extractBinary(item, out);
    return copy;
  }
  return value;
}

/** Puts the attachments back where their placeholders are. */
export function insertBinary(value: unknown, attachments: Buffer[]): unknown {
  if (Array.isArray(value)) return value.map((item) => insertBinary(item, attachments));
  if (isPlainObject(value)) {
    if (value._placeholder === true) {
      const num = value.num;
      if (typeof num !== 'number' || !Number.isInteger(num) || num < 0 || num >= attachments.length) {
        throw new SioParseError('attachment placeholder out of range');
      }
      return attachments[num];
    }
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = insertBinary(item, attachments);
    return copy;
  }
  return value;
}
