/**
 * Socket.IO v5 packets on the official socket.io-parser, as the reference
 * server reads and writes them inside Engine.IO message packets:
 *   <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
 * followed, for BINARY_EVENT / BINARY_ACK, by one binary message per
 * attachment. The parser checks each payload against its packet type and
 * caps attachments at 10 a packet (its default).
 *
 * Decoding a plain packet leaves nothing behind, so one decoder serves
 * every session; only a binary packet gets a decoder of its own, until its
 * last attachment is in. A decoder per session would cost about 450 bytes
 * of heap each (measured: 100,000 decoders with their listener), 45 MB at
 * 100,000 sessions.
 */
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';

export { PacketType };
export type { Decoder };
export type SioPacket = Packet;

const encoder = new Encoder();
const sharedDecoder = new Decoder();

// The decoder emits synchronously from add(): one module-level listener
// hands the packet over, so no closure is made per decoder.
let decoded: Packet | undefined;
function onDecoded(packet: Packet): void {
  decoded = packet;
}
sharedDecoder.on('decoded', onDecoded);

const startsBinaryPacket = (text: string) =>
  text.charCodeAt(0) - 48 === PacketType.BINARY_EVENT || text.charCodeAt(0) - 48 === PacketType.BINARY_ACK;

/**
 * The decoder for a message when no binary packet is waiting for
 * attachments: a fresh one for a binary packet's text part, else the shared one.
 */
export function decoderFor(data: string | Buffer): Decoder {
  if (typeof data !== 'string' || !startsBinaryPacket(data)) return sharedDecoder;
  const own = new Decoder();
  own.on('decoded', onDecoded);
  return own;
}

/**
 * Feeds one message to `decoder`: the packet when it is complete, undefined
 * while a binary packet waits for attachments. Throws on a malformed packet,
 * a text message where an attachment is due, or binary data where none is.
 */
export function decodeMessage(decoder: Decoder, data: string | Buffer): SioPacket | undefined {
  decoded = undefined;
  decoder.add(data);
  // add() emitted into `decoded`, or left it unset while attachments are due.
  const packet = decoded as Packet | undefined;
  decoded = undefined;
  // The id comes back in the ack: past 2^53 it would not come back as sent.
  if (packet?.id !== undefined && !Number.isSafeInteger(packet.id)) throw new Error('ack id out of range');
  return packet;
}

/**
 * A packet as Engine.IO messages: the text, then one binary message per
 * attachment (EVENT and ACK with binary data become their BINARY_ variants).
 */
export function encodePacket(packet: { type: PacketType; nsp?: string; id?: number; data?: unknown }): {
  text: string;
  attachments: Uint8Array[];
} {
  const [text, ...attachments] = encoder.encode({ nsp: '/', ...packet }) as [string, ...Uint8Array[]];
  return { text, attachments };
}
