/** The hub's bounds: lazy channels, history by count, bytes and age, gaps, and publishes refused before a seq. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedPacket } from '../../src/servers/engine-io/protocol.js';
import { MESSAGE_OVERHEAD_BYTES } from '../../src/servers/history.js';
import { Hub, type HubMessage } from '../../src/servers/hub.js';

const quiet = { deliver: () => {} };
const seqs = (messages: HubMessage[]) => messages.map((m) => m.seq);
/** A message whose envelope JSON is exactly `size` characters on channel `c` with seq < 10. */
const sized = (hub: Hub, channel: string, size: number) => {
  const base = hub.publish({ channel, event: 'e', data: '', ts: 1 });
  return { base, fill: (seqDigits = 1) => 'x'.repeat(size - base.json.length - (seqDigits - 1)) };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('Hub channels', () => {
  it('deletes a channel that was never published to with its last subscriber', () => {
    const hub = new Hub();
    for (let i = 0; i < 1000; i++) {
      hub.subscribe(`c${i}`, quiet);
      hub.unsubscribe(`c${i}`, quiet);
    }
    expect(hub.channelCount).toBe(0);
    hub.subscribe('kept', quiet);
    expect(hub.channelNames()).toEqual(['kept']);
  });

  it('keeps the head of a channel that had messages, so seqs never start over', () => {
    const hub = new Hub({ historySize: 0 });
    hub.subscribe('a', quiet);
    hub.publish({ channel: 'a', event: 'e', data: 1 });
    hub.unsubscribe('a', quiet);
    expect(hub.channelCount).toBe(1);
    expect(hub.publish({ channel: 'a', event: 'e', data: 2 }).seq).toBe(2);
  });

  it('reading a channel (head, since, gapAfter) creates nothing', () => {
    const hub = new Hub();
    expect([hub.head('x'), hub.since('x', 0), hub.gapAfter('x', 0)]).toEqual([0, [], undefined]);
    expect(hub.channelCount).toBe(0);
  });
});

describe('Hub publish', () => {
  it('refuses data nested deeper than 64 levels before it gets a seq, and leaves no channel behind', () => {
    const hub = new Hub();
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(() => hub.publish({ channel: 'p', event: 'e', data: deep })).toThrow(expect.objectContaining({ code: 'RTB_ERR_DATA_TOO_DEEP' }));
    expect([hub.head('p'), hub.channelCount, hub.published]).toEqual([0, 0, 0]);
  });

  it('builds the envelope JSON once, from data encoded by the publisher, and reads data back from it', () => {
    const hub = new Hub();
    const message = hub.publish({ channel: 'a', event: 'e', dataJson: '{"x":[1,2]}', ts: 1.5 });
    expect(message.json).toBe('{"channel":"a","seq":1,"event":"e","ts":1.5,"data":{"x":[1,2]}}');
    expect(message.dataJson).toBe('{"x":[1,2]}');
    expect(message.toJSON()).toEqual({ channel: 'a', seq: 1, event: 'e', ts: 1.5, data: { x: [1, 2] } });
  });
});

describe('Hub history bounds', () => {
  it('keeps at most --history messages and reports the gap before the oldest', () => {
    const hub = new Hub({ historySize: 3 });
    for (let i = 0; i < 5; i++) hub.publish({ channel: 'a', event: 'e', data: i });
    expect(seqs(hub.since('a', 0))).toEqual([3, 4, 5]);
    expect(hub.gapAfter('a', 0)).toEqual({ from: 1, to: 2 });
    expect(hub.gapAfter('a', 1)).toEqual({ from: 2, to: 2 });
    expect(hub.gapAfter('a', 2)).toBeUndefined();
    expect(hub.gapAfter('a', 5)).toBeUndefined();
  });

  it('keeps at most --history-bytes per channel, oldest out first', () => {
    // Each message counts its JSON (100 characters) plus the fixed overhead.
    const perMessage = 100 + MESSAGE_OVERHEAD_BYTES;
    const hub = new Hub({ historyBytes: 3 * perMessage });
    const { fill } = sized(hub, 'a', 100);
    for (let i = 0; i < 5; i++) hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    expect(seqs(hub.since('a', 0))).toEqual([4, 5, 6]);
    expect(hub.historyBytes).toBe(3 * perMessage);
    expect(hub.gapAfter('a', 0)).toEqual({ from: 1, to: 3 });
  });

  it('counts each cached wire encoding towards the budget', () => {
    const perMessage = 100 + MESSAGE_OVERHEAD_BYTES;
    const hub = new Hub({ historyBytes: 3 * perMessage });
    const { fill } = sized(hub, 'a', 100);
    const second = hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    expect(seqs(hub.since('a', 0))).toEqual([1, 2, 3]);
    // A transport caches a 150-byte encoding of message 2: the oldest (1) must go.
    second.encoded('test-format', () => Buffer.alloc(150));
    expect(seqs(hub.since('a', 0))).toEqual([2, 3]);
    expect(hub.historyBytes).toBe(2 * perMessage + 150);
    // Evicted messages no longer count, whatever is cached on them later.
    hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    expect(seqs(hub.since('a', 0))).toEqual([3, 4, 5]);
    second.encoded('other-format', () => 'y'.repeat(10_000));
    expect(hub.historyBytes).toBe(3 * perMessage);
  });

  it('counts an Engine.IO shared packet as its text and its UTF-8 copy', () => {
    const hub = new Hub();
    const message = hub.publish({ channel: 'a', event: 'e', data: 'é' });
    const before = hub.historyBytes;
    const packet = message.encoded('engine.io', (m) => new SharedPacket(`4${m.json}`));
    // 'é' is one UTF-16 unit and two UTF-8 bytes.
    expect(hub.historyBytes - before).toBe(packet.text.length + packet.text.length + 1);
  });

  it('keeps at most --history-total-bytes over all channels, the oldest of any channel first', () => {
    const perMessage = 100 + MESSAGE_OVERHEAD_BYTES;
    const hub = new Hub({ historyTotalBytes: 4 * perMessage });
    const { fill } = sized(hub, 'a', 100);
    hub.publish({ channel: 'b', event: 'e', data: fill(), ts: 1 });
    hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    hub.publish({ channel: 'b', event: 'e', data: fill(), ts: 1 });
    expect([seqs(hub.since('a', 0)), seqs(hub.since('b', 0))]).toEqual([
      [1, 2],
      [1, 2],
    ]);
    hub.publish({ channel: 'b', event: 'e', data: fill(), ts: 1 });
    // a:1 was the oldest in the process.
    expect([seqs(hub.since('a', 0)), seqs(hub.since('b', 0))]).toEqual([[2], [1, 2, 3]]);
    hub.publish({ channel: 'a', event: 'e', data: fill(), ts: 1 });
    expect([seqs(hub.since('a', 0)), seqs(hub.since('b', 0))]).toEqual([
      [2, 3],
      [2, 3],
    ]);
    expect(hub.historyBytes).toBe(4 * perMessage);
  });

  it('drops messages older than --history-ttl and keeps the head', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const hub = new Hub({ historyTtlMs: 60_000 });
    hub.publish({ channel: 'a', event: 'e', data: 1 });
    vi.advanceTimersByTime(30_000);
    hub.publish({ channel: 'a', event: 'e', data: 2 });
    vi.advanceTimersByTime(29_999);
    expect(seqs(hub.since('a', 0))).toEqual([1, 2]);
    // The timer drops message 1 without anyone asking.
    vi.advanceTimersByTime(2);
    expect(hub.historyBytes).toBeGreaterThan(0);
    expect(seqs(hub.since('a', 0))).toEqual([2]);
    vi.advanceTimersByTime(30_000);
    expect(hub.historyBytes).toBe(0);
    expect([hub.head('a'), hub.since('a', 0), hub.gapAfter('a', 0)]).toEqual([2, [], { from: 1, to: 2 }]);
    hub.close();
  });

  it('holds nothing for a channel whose history is gone', () => {
    const hub = new Hub({ historySize: 2 });
    for (let i = 0; i < 10; i++) hub.publish({ channel: 'a', event: 'e', data: i });
    expect(seqs(hub.since('a', 8))).toEqual([9, 10]);
    expect(hub.since('a', 10)).toEqual([]);
    expect(hub.historyBytes).toBe(hub.since('a', 0).reduce((sum, m) => sum + m.json.length + MESSAGE_OVERHEAD_BYTES, 0));
  });
});
