/**
 * What every load client reports for each update it receives: the seq goes
 * to that subscription's tracker, the payload size and latency to the
 * process-wide totals. Latency is receive time minus the publisher's `ts`,
 * which is the update's *scheduled* time, so a stall anywhere shows up.
 */
import { LatencyRecorder } from './latency.js';
import type { SeqTracker } from './seq-tracker.js';

export interface EnvelopeFields {
  seq: number;
  ts: number;
}

export class DeliveryRecorder {
  readonly latency = new LatencyRecorder();
  delivered = 0;
  payloadBytes = 0;

  record(tracker: SeqTracker, envelope: EnvelopeFields, payloadBytes: number, receivedAtMs: number): void {
    if (!tracker.observe(envelope.seq)) return;
    this.delivered++;
    this.payloadBytes += payloadBytes;
    this.latency.record((receivedAtMs - envelope.ts) * 1000);
  }
}
