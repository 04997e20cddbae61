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
  /** The same latencies since the last intervalP99(): what a fault does shows there, not in the run's total. */
  readonly #interval = new LatencyRecorder();
  delivered = 0;
  payloadBytes = 0;

  record(tracker: SeqTracker, envelope: EnvelopeFields, payloadBytes: number, receivedAtMs: number): void {
    if (!tracker.observe(envelope.seq)) return;
    this.delivered++;
    this.payloadBytes += payloadBytes;
    const latencyUs = (receivedAtMs - envelope.ts) * 1000;
    this.latency.record(latencyUs);
    this.#interval.record(latencyUs);
  }

  /** p99 (us) of the deliveries since the last call (0 if none), then starts a new interval. */
  intervalP99(): number {
    const histogram = this.#interval.histogram;
    const p99 = histogram.totalCount > 0 ? histogram.getValueAtPercentile(99) : 0;
    histogram.reset();
    return p99;
  }
}
