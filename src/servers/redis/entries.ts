/**
 * Stream entries as Redis returns them (`[id, [field, value, ...]]`) turned
 * into the batches the hub applies (cluster/publish-batch.ts). A fan-out
 * entry is one publish batch (`c` channels and `s` seqs, comma-joined); a
 * history entry is one message of one channel (`s` its seq).
 */
import type { DeliverBatch } from '../cluster/publish-batch.js';

export type StreamEntry = [id: string, fields: string[]];

/** One field's value, or '' when the entry has no such field. */
function field(fields: string[], name: string): string {
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1]!;
  return '';
}

export function fanoutBatch([, fields]: StreamEntry): DeliverBatch {
  return {
    event: field(fields, 'e'),
    ts: Number(field(fields, 't')),
    dataJson: field(fields, 'd'),
    channels: field(fields, 'c').split(','),
    seqs: field(fields, 's').split(',').map(Number),
  };
}

/** A history entry of `channel` as a one-channel batch. */
export function historyBatch(channel: string, [, fields]: StreamEntry): DeliverBatch {
  return {
    event: field(fields, 'e'),
    ts: Number(field(fields, 't')),
    dataJson: field(fields, 'd'),
    channels: [channel],
    seqs: [Number(field(fields, 's'))],
  };
}

/** The millisecond part of a stream entry id (`ms-n`): when Redis stored it. */
export function entryTimeMs([id]: StreamEntry): number {
  return Number(id.slice(0, id.indexOf('-')));
}
