/**
 * What a load client is given: where to connect, the settings of its
 * transport and reconnects, and the process's meter, recorder and counters
 * (a fleet's, or a test's). Kept apart from load-client.ts, which holds the
 * client's life.
 */
import type { ByteMeter } from '../metrics/byte-meter.js';
import type { DeliveryRecorder } from '../metrics/delivery-recorder.js';
import type { HeaderProfileName } from './header-profiles.js';

export interface ClientTarget {
  host: string;
  port: number;
  /** The address to connect from (a load agent's --source-address); the kernel's choice when absent. */
  localAddress?: string;
}

/** net.connect options for a target: its address, and where to connect from if it says. */
export function connectOptions(target: ClientTarget): { host: string; port: number; localAddress?: string } {
  return target.localAddress ? { host: target.host, port: target.port, localAddress: target.localAddress } : target;
}

export interface ClientSettings {
  /** Header profile of HTTP requests (polling, SSE, handshakes). */
  headers: HeaderProfileName;
  /** Short polling: send If-None-Match with the last ETag. */
  conditional: boolean;
  /** Short polling: one poll per client every this many ms. */
  pollIntervalMs: number;
  /** Long polling: the hold time asked for. */
  longPollTimeoutMs: number;
  /** Polling: send `Accept-Encoding: gzip` (unless the header profile has its own); gzip bodies are inflated either way. */
  gzip?: boolean;
  /** Fallback: stay on HTTP long-polling instead of upgrading. */
  pollingOnly: boolean;
  /** Reconnect (and resume from the cursor) after an unexpected close. */
  reconnect: boolean;
  /** Backoff of the reconnect attempts: attempt n waits random(0, min(max, base * 2^n)) ms (RECONNECT_DEFAULTS when absent). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** How long one reconnect attempt may take before it counts as failed (ATTEMPT_TIMEOUT_MS when absent). */
  reconnectAttemptTimeoutMs?: number;
  /** How long one attempt of a first open that is retried may take (OPEN_ATTEMPT_TIMEOUT_MS when absent). */
  openAttemptTimeoutMs?: number;
  /** Attempts after one lost connection before the client gives up and fails (and retries of a first open, for the clients that retry it). */
  reconnectAttempts?: number;
  /** Echo scenario: messages per second each client sends for the server to echo (0: off). */
  echoRate: number;
}

export interface ClientEnvironment {
  meter: ByteMeter;
  deliveries: DeliveryRecorder;
  settings: ClientSettings;
  /** Counted once per connection lost while open, followed by reconnect attempts (not once per attempt). */
  onReconnect(): void;
  /**
   * Counted once per new attempt of a first open that failed (a client that
   * retries its first open, as socket.io-client does): apart from reconnects,
   * which only an open client makes. Absent: not counted.
   */
  onOpenRetry?(): void;
  /**
   * A failure after open() settled, which its promise can no longer carry:
   * the cause of a lost connection (an error answer, a socket error), the
   * last attempt's cause when reconnecting gave up, or a close that ended
   * the client because reconnects are off. Failed attempts before the last
   * are not reported one by one.
   */
  onError(error: Error): void;
}

/**
 * A refusal that another attempt would not change (a Socket.IO CONNECT_ERROR,
 * a refused subscribe, an adapter's bad answer): a client that retries its
 * first open fails at once on it, as socket.io-client does not retry a
 * connect_error from the server's middleware.
 */
export class OpenRefused extends Error {}
