import { describe, expect, it } from 'vitest';
import { decodeMessage, decoderFor, encodePacket, PacketType, type SioPacket } from '../../src/servers/socket-io/packets.js';

/** Feeds messages as a session does; returns the packets completed. */
function decodeAll(messages: (string | Buffer)[]): SioPacket[] {
  const packets: SioPacket[] = [];
  let assembling: ReturnType<typeof decoderFor> | undefined;
  for (const message of messages) {
    const decoder = assembling ?? decoderFor(message);
    const packet = decodeMessage(decoder, message);
    assembling = packet === undefined ? decoder : undefined;
    if (packet) packets.push(packet);
  }
  return packets;
}

describe('Socket.IO packets', () => {
  it('decodes namespaces, ack ids and payloads', () => {
    expect(decodeAll(['0', '0/admin,', '0{"token":"t"}', '212["subscribe",{"channel":"a"}]', '3/x,7[1]'])).toEqual([
      { type: PacketType.CONNECT, nsp: '/' },
      { type: PacketType.CONNECT, nsp: '/admin' },
      { type: PacketType.CONNECT, nsp: '/', data: { token: 't' } },
      { type: PacketType.EVENT, nsp: '/', id: 12, data: ['subscribe', { channel: 'a' }] },
      { type: PacketType.ACK, nsp: '/x', id: 7, data: [1] },
    ]);
  });

  it('puts binary attachments back in place, across several sessions at once', () => {
    const first = decoderFor('52-["bin",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    const second = decoderFor('51-["other",{"_placeholder":true,"num":0}]');
    expect(decodeMessage(first, '52-["bin",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]')).toBeUndefined();
    expect(decodeMessage(second, '51-["other",{"_placeholder":true,"num":0}]')).toBeUndefined();
    // Plain packets of other sessions meanwhile go through the shared decoder.
    expect(decodeAll(['2["plain"]'])).toEqual([{ type: PacketType.EVENT, nsp: '/', data: ['plain'] }]);
    expect(decodeMessage(first, Buffer.from([1]))).toBeUndefined();
    expect(decodeMessage(second, Buffer.from([9]))).toEqual({ type: PacketType.EVENT, nsp: '/', data: ['other', Buffer.from([9])] });
    expect(decodeMessage(first, Buffer.from([2]))).toEqual({
      type: PacketType.EVENT,
      nsp: '/',
      data: ['bin', Buffer.from([1]), Buffer.from([2])],
    });
  });

  const malformed: [string, (string | Buffer)[]][] = [
    ['an unknown packet type', ['abc']],
    ['a payload that is not JSON', ['2["a"']],
    ['an event without a name', ['2[]']],
    ['a reserved event name', ['2["connect"]']],
    ['a DISCONNECT with a payload', ['1{}']],
    ['a CONNECT with an array', ['0[1]']],
    ['binary data without a binary packet', [Buffer.from([1])]],
    ['text where an attachment is due', ['51-["a",{"_placeholder":true,"num":0}]', '2["b"]']],
    ['a placeholder past the attachments', ['51-["a",{"_placeholder":true,"num":3}]', Buffer.from([1])]],
    ['no attachment count', ['5["a"]']],
    ['more than 10 attachments', ['511-["a"]']],
    ['an ack id past 2^53', [`2${'9'.repeat(20)}["a"]`]],
  ];
  it.each(malformed)('refuses %s', (_name, messages) => {
    expect(() => decodeAll(messages)).toThrow();
  });

  it('encodes packets, binary data as attachments of the BINARY_ variant', () => {
    expect(encodePacket({ type: PacketType.CONNECT, data: { sid: 's' } })).toEqual({ text: '0{"sid":"s"}', attachments: [] });
    expect(encodePacket({ type: PacketType.CONNECT_ERROR, nsp: '/admin', data: { message: 'Invalid namespace' } }).text).toBe(
      '4/admin,{"message":"Invalid namespace"}',
    );
    expect(encodePacket({ type: PacketType.ACK, id: 4, data: [] }).text).toBe('34[]');
    expect(encodePacket({ type: PacketType.EVENT, data: ['blob', Buffer.from([1, 2]), { nested: Buffer.from([3]) }] })).toEqual({
      text: '52-["blob",{"_placeholder":true,"num":0},{"nested":{"_placeholder":true,"num":1}}]',
      attachments: [Buffer.from([1, 2]), Buffer.from([3])],
    });
    expect(encodePacket({ type: PacketType.ACK, id: 9, data: [Buffer.from([5])] }).text).toBe('61-9[{"_placeholder":true,"num":0}]');
  });
});
