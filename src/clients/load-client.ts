/**
 * The client-side role: one simulated user of one transport. A load client
 * opens its connection(s), subscribes to one channel, hands every received
 * update to the process's DeliveryRecorder and attaches every socket it opens
 * to the process's ByteMeter. It knows nothing else about metrics.
 *
 * The clients are written on raw sockets rather than undici or the `ws`
 * client on purpose: the request head must be exactly the chosen header
 * profile (undici adds its own headers), and about 15,000 of them share one
 * process, so per-connection memory and per-message work are what limits the
 * fleet. `npm run bench:clients` measures it; heap per subscribed client,
 * 5,000 per process (2026-11-25): WebSocket 2.42 KB here vs 3.02 KB for the
 * `ws` client, SSE 3.13 KB vs 27.8 KB for the `eventsource` package, long
 * poll 3.50 KB vs 5.69 KB for an undici Client.
 */
import type { Socket } from 'node:net';
import type { ByteMeter } from '../metrics/byte-meter.js';
import type { DeliveryRecorder } from '../metrics/delivery-recorder.js';
import { SeqTracker } from '../metrics/seq-tracker.js';
import type { HeaderProfileName } from './header-profiles.js';

export interface ClientTarget {
  host: string;
  port: number;
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
  /** Fallback: stay on HTTP long-polling instead of upgrading. */
  pollingOnly: boolean;
  /** Reconnect (and resume from the cursor) after an unexpected close. */
  reconnect: boolean;
  /** Echo scenario: messages per second each client sends for the server to echo (0: off). */
  echoRate: number;
}

export interface ClientEnvironment {
  meter: ByteMeter;
  deliveries: DeliveryRecorder;
  settings: ClientSettings;
  /** Counted once per unexpected close that was followed by a reconnect. */
  onReconnect(): void;
  /**
   * A failure after open() settled, which its promise can no longer carry:
   * an error answer, a socket error, a lost session, a reconnect that
   * failed, or a close that ended the client because reconnects are off.
   */
  onError(error: Error): void;
}

/** reconnecting: was open, lost its connection, and is trying again (not counted as open meanwhile). */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

export abstract class LoadClient {
  #state: ClientState = 'idle';
  /** True once the client has been open at least once. */
  opened = false;
  /** Connections lost while open and followed by a reconnect attempt. */
  reconnectCount = 0;
  /** Echo scenario: round-trip messages sent so far; they number the echoes from 1. */
  echoSent = 0;
  readonly tracker: SeqTracker;
  /** Set while an open is pending; the promise settles once, through settleOpen. */
  #resolveOpen: (() => void) | undefined;
  #rejectOpen: ((error: Error) => void) | undefined;

  constructor(
    readonly env: ClientEnvironment,
    readonly target: ClientTarget,
    readonly channel: string,
    cursor = 0,
  ) {
    this.tracker = new SeqTracker(cursor);
  }

  get state(): ClientState {
    return this.#state;
  }

  set state(state: ClientState) {
    if (state === 'open') this.opened = true;
    this.#state = state;
  }

  /** Connects and subscribes; resolves once updates can arrive. */
  abstract open(): Promise<void>;

  /** Ends every connection of this client; no reconnect follows. */
  abstract close(): void;

  /** Echo scenario: stop sending, keep receiving what is on its way. */
  quiesce(): void {}

  get hostHeader(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  /** Parses one envelope (JSON text) and records it. */
  protected receiveEnvelope(json: string, payloadBytes: number, receivedAtMs: number): void {
    const envelope = JSON.parse(json) as { seq: number; ts: number; channel: string };
    this.env.deliveries.record(this.tracker, envelope, payloadBytes, receivedAtMs);
  }

  /**
   * Starts an open (state `connecting`). Connections report success and
   * failure from several callbacks (error, close, an answer); the promise
   * takes the first report and ignores the rest.
   */
  protected beginOpen(): Promise<void> {
    this.state = 'connecting';
    return new Promise<void>((resolve, reject) => {
      this.#resolveOpen = resolve;
      this.#rejectOpen = reject;
    });
  }

  /** True from beginOpen until settleOpen. */
  protected get opening(): boolean {
    return this.#resolveOpen !== undefined;
  }

  /** Ends the pending open: `open` without an error, `failed` with one. Does nothing when no open is pending. */
  protected settleOpen(error?: Error): void {
    const resolve = this.#resolveOpen;
    const reject = this.#rejectOpen;
    if (!resolve || !reject) return;
    this.#resolveOpen = undefined;
    this.#rejectOpen = undefined;
    if (error) {
      this.state = 'failed';
      reject(error);
    } else {
      this.state = 'open';
      resolve();
    }
  }

  /**
   * The connection of an open client ended without close(). With reconnects
   * on it is counted and reopened, and a cause (a socket error, an error
   * answer) is still reported; with them off the client fails.
   */
  protected connectionLost(cause: Error | undefined): void {
    if (this.state !== 'open') return;
    if (!this.env.settings.reconnect) {
      this.failAfterOpen(cause ?? new Error('connection closed by the server'));
      return;
    }
    if (cause) this.env.onError(cause);
    this.env.onReconnect();
    this.reopen();
  }

  /** Opens again after a lost connection, resuming from the cursor. */
  protected reopen(): void {
    // The first open's failure is the fleet's to count; a reopen's has no one else to report it.
    this.open().catch((error: Error) => this.env.onError(error));
  }

  /** An open client fails for good: no promise is left to carry the error, so the environment gets it. */
  protected failAfterOpen(error: Error): void {
    this.state = 'failed';
    this.env.onError(error);
  }
}

export function meterSocket(env: ClientEnvironment, socket: Socket): Socket {
  env.meter.attach(socket);
  socket.setNoDelay(true);
  return socket;
}
