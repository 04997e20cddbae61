/**
 * The marker rtbench puts in every update it publishes through an adapter,
 * and finds again in whatever the server delivers: `rtb~RUN~CHANNEL~N~TS~`,
 * where RUN names the run (markers of an earlier run that a server replays
 * from its history are not this run's), N is the publisher's own counter per
 * channel (1, 2, 3 ...: loss, duplicates and reordering come from it as from
 * rtbench's seq) and TS the update's scheduled time in epoch ms (latency, on
 * the same clock). Only characters that JSON, URLs, SSE and HTML leave as
 * they are, so a server that wraps the payload in its own JSON, re-encodes
 * it or batches several updates into one message still delivers markers a
 * plain text search finds (a batch carries several).
 */

const MARKER = /rtb~([A-Za-z0-9]{1,16})~([A-Za-z0-9_.:-]{1,128})~(\d{1,15})~(\d{1,16}\.\d{3})~/g;

export interface Marker {
  run: string;
  channel: string;
  /** The publisher's counter on this channel, from 1. */
  seq: number;
  /** Scheduled time, epoch ms. */
  ts: number;
  /** Characters of the marker itself. */
  length: number;
}

export function markerText(run: string, channel: string, seq: number, ts: number): string {
  return `rtb~${run}~${channel}~${seq}~${ts.toFixed(3)}~`;
}

/** What is published: the marker, padded with `x` to `payloadBytes` (never shorter than the marker). */
export function markedData(run: string, channel: string, seq: number, ts: number, payloadBytes: number): string {
  const marker = markerText(run, channel, seq, ts);
  return marker.length >= payloadBytes ? marker : marker + 'x'.repeat(payloadBytes - marker.length);
}

/** Every marker in `text`, in order. */
export function* findMarkers(text: string): Generator<Marker> {
  if (!text.includes('rtb~')) return;
  for (const match of text.matchAll(MARKER)) {
    yield { run: match[1]!, channel: match[2]!, seq: Number(match[3]), ts: Number(match[4]), length: match[0].length };
  }
}

/** A run id: 8 base-36 characters. */
export function newRunId(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}
