import { describe, expect, it } from 'vitest';
import { Hub, type HubMessage, SequenceError, type Subscriber } from '../../src/servers/hub.js';

const collector = () => {
  const seen: HubMessage[] = [];
  const subscriber: Subscriber = { deliver: (m) => seen.push(m) };
  return { seen, subscriber };
};

describe('Hub', () => {
  it('numbers each channel from 1, independently', () => {
    const hub = new Hub();
    expect(hub.publish({ channel: 'a', event: 'e', data: 1 }).seq).toBe(1);
    expect(hub.publish({ channel: 'a', event: 'e', data: 2 }).seq).toBe(2);
    expect(hub.publish({ channel: 'b', event: 'e', data: 3 }).seq).toBe(1);
    expect(hub.head('a')).toBe(2);
    expect(hub.head('unknown')).toBe(0);
  });

  it('fans out to the channel subscribers only, and stops after unsubscribe', () => {
    const hub = new Hub();
    const a = collector();
    const b = collector();
    hub.subscribe('a', a.subscriber);
    hub.subscribe('b', b.subscriber);
    hub.publish({ channel: 'a', event: 'e', data: 1 });
    hub.unsubscribe('a', a.subscriber);
    hub.publish({ channel: 'a', event: 'e', data: 2 });
    expect(a.seen.map((m) => m.seq)).toEqual([1]);
    expect(b.seen).toEqual([]);
  });

  it('keeps a bounded history and answers since(cursor) from it', () => {
    const hub = new Hub({ historySize: 3 });
    for (let i = 0; i < 5; i++) hub.publish({ channel: 'a', event: 'e', data: i });
    expect(hub.since('a', 0).map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(hub.since('a', 3).map((m) => m.seq)).toEqual([4, 5]);
    expect(hub.since('a', 5)).toEqual([]);
    expect(hub.since('a', 99)).toEqual([]);
    expect(new Hub({ historySize: 0 }).since('a', 0)).toEqual([]);
  });

  it('serialises a message once per wire format however many subscribers read it', () => {
    const hub = new Hub();
    let encodings = 0;
    const readers = Array.from({ length: 100 }, () => ({
      deliver: (m: HubMessage) => m.encoded('test-format', () => ++encodings),
    }));
    for (const reader of readers) hub.subscribe('a', reader);
    const message = hub.publish({ channel: 'a', event: 'e', data: { x: 1 }, ts: 1700000000000.25 });
    expect(encodings).toBe(1);
    expect(message.json).toBe('{"channel":"a","seq":1,"event":"e","ts":1700000000000.25,"data":{"x":1}}');
    expect(message.json).toBe(message.json);
  });

  it('ingests sequenced messages in order, ignores replays, refuses gaps', () => {
    const hub = new Hub();
    const base = { channel: 'a', event: 'e', ts: 1, data: null };
    expect(hub.ingest({ ...base, seq: 1 })?.seq).toBe(1);
    expect(hub.ingest({ ...base, seq: 1 })).toBeUndefined();
    expect(() => hub.ingest({ ...base, seq: 3 })).toThrow(SequenceError);
    expect(hub.ingest({ ...base, seq: 2 })?.seq).toBe(2);
  });

  it('restores a replica from a snapshot without delivering', () => {
    const source = new Hub({ historySize: 2 });
    for (let i = 0; i < 4; i++) source.publish({ channel: 'a', event: 'e', data: i });
    const replica = new Hub({ historySize: 2 });
    const a = collector();
    replica.subscribe('a', a.subscriber);
    replica.restore(source.snapshot());
    expect(a.seen).toEqual([]);
    expect(replica.head('a')).toBe(4);
    expect(replica.since('a', 0).map((m) => m.data)).toEqual([2, 3]);
    replica.ingest({ channel: 'a', seq: 5, event: 'e', ts: 1, data: 4 });
    expect(a.seen.map((m) => m.seq)).toEqual([5]);
  });
});
