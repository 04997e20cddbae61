/**
 * Hub.skipTo, which a backplane node uses for seqs given elsewhere that it
 * never got (redis/): the head moves on, what the channel kept is dropped so
 * its history stays consecutive, and a resume from before gets the gap.
 */
import { describe, expect, it } from 'vitest';
import { Hub } from '../../src/servers/hub.js';

describe('Hub.skipTo', () => {
  it('moves the head past seqs it never had; the next message follows it and resumes see the gap', () => {
    const hub = new Hub({ historySize: 10 });
    for (let i = 1; i <= 3; i++) hub.publish({ channel: 'c', event: 'e', data: i });
    hub.skipTo('c', 7);
    expect(hub.head('c')).toBe(7);
    expect(hub.since('c', 0)).toEqual([]);
    expect(hub.gapAfter('c', 2)).toEqual({ from: 3, to: 7 });
    expect(hub.ingest({ channel: 'c', seq: 8, event: 'e', ts: 1, data: 8 })?.seq).toBe(8);
    expect(hub.since('c', 0).map((m) => m.seq)).toEqual([8]);
    expect(hub.gapAfter('c', 0)).toEqual({ from: 1, to: 7 });
    expect(hub.historyBytes).toBeGreaterThan(0);
    hub.close();
  });

  it('never moves a head back, and sets the head of a channel it did not know', () => {
    const hub = new Hub();
    hub.publish({ channel: 'c', event: 'e', data: 1 });
    hub.publish({ channel: 'c', event: 'e', data: 2 });
    hub.skipTo('c', 1);
    expect(hub.head('c')).toBe(2);
    expect(hub.since('c', 0).map((m) => m.seq)).toEqual([1, 2]);
    hub.skipTo('new', 40);
    expect(hub.head('new')).toBe(40);
    expect(hub.publish({ channel: 'new', event: 'e', data: 41 }).seq).toBe(41);
    hub.close();
  });
});
