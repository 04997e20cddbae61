/**
 * Delivery latency in microseconds, recorded into an HdrHistogram
 * (hdr-histogram-js) and carried between processes as its compressed
 * encoding, so a fleet of client processes merges into one exact histogram.
 */
import * as hdr from 'hdr-histogram-js';

/** Up to an hour, 3 significant digits: 0.1% resolution over the whole range. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function createHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export class LatencyRecorder {
  readonly histogram = createHistogram();

  /** Records one delivery; values outside the trackable range are clamped. */
  record(latencyUs: number): void {
    const value = Math.min(Math.max(1, Math.round(latencyUs)), HIGHEST_TRACKABLE_US);
    this.histogram.recordValue(value);
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }
}

/** Merges encoded histograms from several processes into one. */
export function mergeEncoded(encoded: string[]): hdr.Histogram {
  const merged = createHistogram();
  for (const text of encoded) {
    if (text) merged.add(hdr.decodeFromCompressedBase64(text, 64, false));
  }
  return merged;
}

export function summarize(histogram: hdr.Histogram): LatencySummary {
  if (histogram.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    mean: Math.round(histogram.mean),
  };
}
