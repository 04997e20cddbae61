/** Messages between the orchestrator and a client-fleet process. */
import type { ClientSettings, ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';

export interface FleetPlan {
  transport: TransportName;
  /** Global index of this fleet's first client: client i subscribes to channels[i % channels.length]. */
  firstIndex: number;
  count: number;
  channels: string[];
  targets: ClientTarget[];
  /** Connections this process opens per second. */
  rampPerSec: number;
  /** Handshakes this process has in flight at most during the ramp. */
  rampConcurrency: number;
  settings: ClientSettings;
  /** Drive an app through an adapter: the module each process imports, the run's marker id, the payload size. */
  adapter?: FleetAdapter;
}

export interface FleetAdapter {
  module: string;
  run: string;
  payloadBytes: number;
}

export interface FleetCounters {
  attempted: number;
  open: number;
  failed: number;
  /** Still opening (a saturated server had not answered them yet). */
  connecting: number;
  reconnects: number;
  /** New attempts of first opens that failed (clients that retry their first open, as socket.io-client does). */
  openRetries: number;
  /** Lost their connection and trying again right now. */
  reconnecting: number;
  delivered: number;
  payload: number;
  polls: number;
  /** Echo scenario: round-trip messages sent. */
  echoSent: number;
  down: number;
  up: number;
  /** CPU seconds of this process so far. */
  cpuUserS: number;
  cpuSystemS: number;
  /** Asked with the owed heads (a drain check): deliveries its opened clients are still owed, as they would count as lost now. */
  missing?: number;
}

/**
 * What the subscribers are owed, per channel: the highest seq the server
 * acknowledged, and the publishes it never acknowledged (see Fleet.finish).
 */
export interface Owed {
  heads: Record<string, number>;
  unacknowledged: Record<string, number>;
}

export interface FleetFinal extends FleetCounters {
  expected: number;
  lost: number;
  /** Clients that reconnected at least once. */
  reconnected: number;
  /** Clients that had opened and were not open at the end. */
  dropped: number;
  gaps: number;
  gapUpdates: number;
  duplicated: number;
  reordered: number;
  histogram: string;
  rssPeakMb: number;
  errors: string[];
}

/**
 * A mark asks every process for its counters at one moment; the two steady
 * marks bound the steady phase (its bytes and CPU are their difference).
 */
export type MarkName = 'steady-start' | 'steady-end' | 'drain-check';

export type ToFleet =
  | { type: 'start'; plan: FleetPlan }
  | { type: 'mark'; name: MarkName; owed?: Owed }
  | { type: 'quiesce' }
  | { type: 'end-ramp' }
  | ({ type: 'finish' } & Owed);

export type FromFleet =
  | { type: 'ramped'; counters: FleetCounters }
  /**
   * p99: over the whole run so far; intervalP99: over the last tick only (what a fault does shows there);
   * at: when the counters were read (epoch ms): a busy process's tick arrives late, and its figures are of then.
   */
  | { type: 'tick'; counters: FleetCounters; p50: number; p90: number; p99: number; intervalP99: number; at: number }
  | { type: 'mark'; name: MarkName; counters: FleetCounters }
  | { type: 'final'; result: FleetFinal }
  | { type: 'error'; message: string };
