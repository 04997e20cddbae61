/**
 * The history a new worker gets from the sequencer, in chunks. As one IPC
 * message, a large history would be one JSON line past V8's string limit
 * (~512 MB) and would sit whole in both processes' memory; in chunks of
 * about CHUNK_CHARS, each sent when the previous one has been written, it
 * costs a chunk at a time.
 *
 * The chunks are read from the hub lazily, so messages published while they
 * are sent may appear twice: in a chunk and in a live delivery. The worker
 * therefore keeps live deliveries until the last chunk is in, then applies
 * them; a seq it already has is skipped (publish-batch.ts, applyBatch).
 */
import type { Hub } from '../hub.js';

/** Characters of message data (before JSON escaping) per chunk; one larger message travels alone. */
export const CHUNK_CHARS = 1024 * 1024;

/** One retained message: seq, event, ts and the data as JSON text. */
export type SnapshotMessage = [seq: number, event: string, ts: number, dataJson: string];

export interface SnapshotChunk {
  /** Channels in this chunk; a long channel continues in the next chunks, oldest messages first. */
  channels: { channel: string; messages: SnapshotMessage[] }[];
  /** True for the final chunk of the snapshot. */
  last: boolean;
}

/** What an entry costs besides its data (seq, ts, quotes, brackets): an estimate. */
const ENTRY_OVERHEAD = 48;

/** The hub's retained messages, channel by channel, in chunks of about `maxChars`. */
export function* snapshotChunks(hub: Hub, maxChars = CHUNK_CHARS): Generator<SnapshotChunk, void, undefined> {
  let channels: SnapshotChunk['channels'] = [];
  let size = 0;
  for (const name of hub.channelNames()) {
    const retained = hub.since(name, 0);
    if (retained.length === 0) continue;
    let entry = { channel: name, messages: [] as SnapshotMessage[] };
    channels.push(entry);
    for (const message of retained) {
      const dataJson = message.dataJson;
      const cost = dataJson.length + message.event.length + name.length + ENTRY_OVERHEAD;
      if (size > 0 && size + cost > maxChars) {
        yield { channels, last: false };
        entry = { channel: name, messages: [] };
        channels = [entry];
        size = 0;
      }
      entry.messages.push([message.seq, message.event, message.ts, dataJson]);
      size += cost;
    }
  }
  yield { channels, last: true };
}

/** Seeds a worker's hub with one chunk: heads and history, without fan-out. */
export function restoreChunk(hub: Hub, chunk: SnapshotChunk): void {
  for (const { channel, messages } of chunk.channels) {
    hub.restore(messages.map(([seq, event, ts, dataJson]) => ({ channel, seq, event, ts, data: JSON.parse(dataJson) })));
  }
}
