/** What a transport run reports once a second while it goes on (the progress line, the dashboard). */
export interface Progress {
  transport: string;
  phase: 'server' | 'ramp' | 'steady' | 'drain' | 'teardown';
  elapsedS: number;
  open: number;
  target: number;
  failed: number;
  deliveredPerS: number;
  /** Latency so far, the highest of any client process (the result merges them exactly). */
  p50Us: number;
  p90Us: number;
  p99Us: number;
  /** Wire bytes per delivered update in the steady phase so far (none before it). */
  bytesPerUpdate?: number;
}
