/**
 * The pieces that copy the sequencer's hub into the workers: publish batches
 * (data once per publish), the chunked history snapshot and the replica that
 * holds live batches back until the snapshot is in.
 */
import { describe, expect, it } from 'vitest';
import { packInputs, sequenceBatches, applyBatch } from '../../src/servers/cluster/publish-batch.js';
import { Replica } from '../../src/servers/cluster/replica.js';
import { snapshotChunks } from '../../src/servers/cluster/snapshot.js';
import { Hub, type HubMessage } from '../../src/servers/hub.js';
import { parsePublish } from '../../src/servers/publish.js';

const now = () => 1_700_000_000_000;

/** Every retained message of `hub`, as [channel, seq, json]. */
function contents(hub: Hub): [string, number, string][] {
  return hub
    .channelNames()
    .sort()
    .flatMap((channel) => hub.since(channel, 0).map((m: HubMessage) => [channel, m.seq, m.json] as [string, number, string]));
}

describe('publish batches', () => {
  it('carry the data of a 1,000-channel publish once, and number it like the sequencer', () => {
    const channels = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const request = parsePublish({ channel: channels, event: 'update', data: { big: 'x'.repeat(1000) }, ts: 5 });
    const batches = packInputs(request.inputs, now);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.channels).toEqual(channels);
    // What crosses the IPC channel holds the data once.
    expect(JSON.stringify(batches).length).toBeLessThan(1000 * 8 + 2000);

    const sequencer = new Hub();
    sequencer.publish({ channel: 'c7', event: 'e', data: 0, ts: 1 });
    const numbered = sequenceBatches(sequencer, batches);
    expect(numbered[0]!.seqs[7]).toBe(2);
    expect(numbered[0]!.seqs[8]).toBe(1);

    const replica = new Hub();
    replica.publish({ channel: 'c7', event: 'e', data: 0, ts: 1 });
    for (const batch of numbered) applyBatch(replica, batch);
    expect(contents(replica)).toEqual(contents(sequencer));
  });

  it('split where event, ts or data change, keeping input order', () => {
    const inputs = [
      { channel: 'a', event: 'e', dataJson: '1', ts: 1 },
      { channel: 'b', event: 'e', dataJson: '1', ts: 1 },
      { channel: 'c', event: 'f', dataJson: '1', ts: 1 },
      { channel: 'd', event: 'f', dataJson: '2', ts: 1 },
      { channel: 'e', event: 'f', data: 2, ts: 1 },
    ];
    expect(packInputs(inputs, now).map((b) => [b.event, b.dataJson, b.channels])).toEqual([
      ['e', '1', ['a', 'b']],
      ['f', '1', ['c']],
      ['f', '2', ['d', 'e']],
    ]);
  });

  it('applied twice, or after a snapshot that already had them, change nothing', () => {
    const sequencer = new Hub();
    const batches = sequenceBatches(sequencer, packInputs(parsePublish({ channel: ['a', 'b'], data: 1 }).inputs, now));
    const replica = new Hub();
    applyBatch(replica, batches[0]!);
    applyBatch(replica, batches[0]!);
    expect(replica.head('a')).toBe(1);
    expect(replica.since('a', 0)).toHaveLength(1);
  });
});

describe('history snapshot', () => {
  function filledHub(): Hub {
    const hub = new Hub();
    const pad = 'p'.repeat(2000);
    for (let i = 1; i <= 100; i++) {
      for (const input of parsePublish({ channel: Array.from({ length: 50 }, (_, c) => `ch${c}`), data: { i, pad } }).inputs) {
        hub.publish(input);
      }
    }
    return hub;
  }

  it('comes in chunks of bounded size that restore the whole history', () => {
    const hub = filledHub();
    const chunks = [...snapshotChunks(hub, 256 * 1024)];
    // ~10 MB of history in chunks of about 256 KB.
    expect(chunks.length).toBeGreaterThan(35);
    for (const chunk of chunks) expect(JSON.stringify(chunk).length).toBeLessThan(2 * 256 * 1024 + 4096);
    expect(chunks.map((c) => c.last)).toEqual([...chunks.slice(1).map(() => false), true]);

    const replica = new Replica(new Hub(), (error) => {
      throw error;
    });
    for (const chunk of chunks) replica.restore(JSON.parse(JSON.stringify(chunk)));
    expect(contents(replica.hub)).toEqual(contents(hub));
  });

  it('sends one message larger than a chunk on its own', () => {
    const hub = new Hub();
    hub.publish({ channel: 'big', event: 'e', data: 'b'.repeat(5000) });
    hub.publish({ channel: 'big', event: 'e', data: 'small' });
    const chunks = [...snapshotChunks(hub, 1000)];
    expect(chunks.map((c) => c.channels.flatMap((ch) => ch.messages.map((m) => m[0])))).toEqual([[1], [2]]);
  });

  it('an empty hub is one last, empty chunk', () => {
    expect([...snapshotChunks(new Hub())]).toEqual([{ channels: [], last: true }]);
  });
});

describe('Replica', () => {
  it('holds live batches back until the last chunk, then applies them without duplicates', () => {
    const sequencer = new Hub();
    const publishTo = (channel: string, data: unknown) =>
      sequenceBatches(sequencer, packInputs(parsePublish({ channel, data }).inputs, now));
    publishTo('a', 1);
    publishTo('a', 2);
    const chunks = snapshotChunks(sequencer, 1);
    const replica = new Replica(new Hub(), (error) => {
      throw error;
    });
    let restored = false;
    void replica.restored.then(() => {
      restored = true;
    });
    replica.restore(chunks.next().value!);
    // Published while the snapshot is on its way: live, and (read lazily) in a later chunk too.
    replica.deliver(publishTo('a', 3));
    replica.deliver(publishTo('b', 'new'));
    expect(replica.hub.head('a')).toBe(1);
    for (let chunk = chunks.next(); !chunk.done; chunk = chunks.next()) replica.restore(chunk.value);
    expect(contents(replica.hub)).toEqual(contents(sequencer));
    return replica.restored.then(() => expect(restored).toBe(true));
  });

  it('reports a replica that cannot follow (a seq gap) instead of serving on', () => {
    const errors: Error[] = [];
    const replica = new Replica(new Hub(), (error) => errors.push(error));
    replica.restore({ channels: [{ channel: 'a', messages: [[1, 'e', 1, '1']] }], last: true });
    replica.deliver([{ event: 'e', ts: 1, dataJson: '3', channels: ['a'], seqs: [3] }]);
    expect(errors.map((e) => e.message)).toEqual(['channel a: expected seq 2, got 3']);
  });
});
