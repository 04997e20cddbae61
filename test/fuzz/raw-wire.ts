/**
 * The fuzzer's wire: raw TCP exchanges (the bytes exactly as generated, no
 * client library to tidy them up), a raw WebSocket client that writes any
 * frame, valid or not, and a reader of the frames the server sends back.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** How long an exchange goes on reading after the first bytes of an answer (a stream never ends). */
const SETTLE_MS = 40;

/**
 * Writes `chunks` and reads until the server closes, `SETTLE_MS` after the
 * answer began, or `deadlineMs` after the start, then drops the connection.
 */
export function exchange(port: number, chunks: Buffer[], deadlineMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (received.length === 0) setTimeout(() => socket.destroy(), SETTLE_MS);
      received.push(chunk);
    });
    const timer = setTimeout(() => socket.destroy(), deadlineMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received));
    });
    socket.once('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** The status of the first answer in `received`, undefined when none came. */
export function statusOf(received: Buffer): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(received.subarray(0, 16).toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** The body of a whole answer: what follows the head. */
export function bodyOf(received: Buffer): string {
  const end = received.indexOf('\r\n\r\n');
  return end === -1 ? '' : received.subarray(end + 4).toString('utf8');
}

export interface ClientFrame {
  fin: boolean;
  /** The three RSV bits; anything but 0 is a protocol error without an extension. */
  rsv: number;
  opcode: number;
  payload: Buffer;
  /** Clients must mask; an unmasked frame is a protocol error. */
  masked: boolean;
}

/** One frame as a client writes it (RFC 6455 section 5.2). */
export function encodeFrame(frame: ClientFrame): Buffer {
  const { payload } = frame;
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + (frame.masked ? 4 : 0));
  head[0] = (frame.fin ? 0x80 : 0) | ((frame.rsv & 7) << 4) | (frame.opcode & 0x0f);
  head[1] = (frame.masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(length, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(length), 2);
  if (!frame.masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  mask.copy(head, 2 + lengthBytes);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, masked]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** The server's frames (unmasked) in `data`; a partial last frame is left out. */
export function decodeFrames(data: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let offset = 0;
  while (offset + 2 <= data.length) {
    const opcode = data[offset]! & 0x0f;
    let length = data[offset + 1]! & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      if (start + 2 > data.length) break;
      length = data.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > data.length) break;
      length = Number(data.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > data.length) break;
    frames.push({ opcode, payload: data.subarray(start, start + length) });
    offset = start + length;
  }
  return frames;
}

/** The close code of the server's close frame, if it sent one. */
export function closeCodeOf(frames: ServerFrame[]): number | undefined {
  const close = frames.find((f) => f.opcode === 8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
}

/** How long a WebSocket exchange reads after writing its frames. */
const WS_SETTLE_MS = 100;

export interface WsOutcome {
  /** The handshake's status (101 when upgraded). */
  status: number | undefined;
  frames: ServerFrame[];
  received: Buffer;
}

export function upgradeHead(path: string, extra = ''): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  );
}

/**
 * Upgrades `path`, then writes `frames` (raw bytes, so anything goes) and
 * reads what the server sends until it closes or `deadlineMs` passes.
 */
export function wsExchange(port: number, path: string, frames: Buffer[], deadlineMs: number): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let upgraded = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (upgraded) return;
      const all = Buffer.concat(received);
      if (all.indexOf('\r\n\r\n') === -1) return;
      upgraded = true;
      if (statusOf(all) !== 101) return;
      for (const frame of frames) socket.write(frame);
      // Time for the answers to the frames, then the connection is dropped.
      setTimeout(() => socket.destroy(), WS_SETTLE_MS);
    });
    const timer = setTimeout(() => socket.destroy(), deadlineMs);
    socket.once('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(received);
      const headEnd = all.indexOf('\r\n\r\n');
      const status = statusOf(all);
      resolve({ status, frames: status === 101 && headEnd !== -1 ? decodeFrames(all.subarray(headEnd + 4)) : [], received: all });
    });
    socket.once('connect', () => socket.write(upgradeHead(path)));
  });
}
