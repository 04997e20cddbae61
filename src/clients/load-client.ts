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
 * 5,000 per process (2026-11-26, with reconnects): WebSocket 2.16 KB here vs
 * 3.01 KB for the `ws` client, SSE 2.88 KB vs 27.9 KB for the `eventsource`
 * package, long poll 3.22 KB vs 6.68 KB for an undici Client.
 */
import type { Socket } from 'node:net';
import { SeqTracker } from '../metrics/seq-tracker.js';
import { type ClientEnvironment, type ClientTarget, OpenRefused } from './client-environment.js';
import { type ConnectionHandlers, HttpConnection, type HttpLink } from './http-connection.js';
import { KeepAliveLink } from './keep-alive-link.js';
import { ATTEMPT_TIMEOUT_MS, backoffDelay, OPEN_ATTEMPT_TIMEOUT_MS, RECONNECT_DEFAULTS } from './reconnect-backoff.js';

export { type ClientEnvironment, type ClientSettings, type ClientTarget, connectOptions, OpenRefused } from './client-environment.js';

/** reconnecting: was open, lost its connection, and is trying again (not counted as open meanwhile). */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

/**
 * A client's life: open() (one `connect()`, settled once through
 * settleOpen), then while open a lost connection (`connectionLost`) starts
 * reconnect attempts: each one a `connect()` after the backoff, resuming
 * from `tracker.last`, settled through settleOpen like the first open. A
 * subclass only connects, reports, and ends its connections.
 */
export abstract class LoadClient {
  #state: ClientState = 'idle';
  /** True once the client has been open at least once. */
  opened = false;
  /** Connections lost while open (each followed by reconnect attempts); not the attempts. */
  reconnectCount = 0;
  /** HTTP connections opened because the server ended the previous one after a complete response (keep-alive-link.ts): a reuse, not a loss. */
  connectionsReopened = 0;
  /** Echo scenario: round-trip messages sent so far; they number the echoes from 1. */
  echoSent = 0;
  readonly tracker: SeqTracker;
  /** Set while the first open is pending; the promise settles once, through settleOpen. */
  #resolveOpen: (() => void) | undefined;
  #rejectOpen: ((error: Error) => void) | undefined;
  /** New attempts of the first open after it failed (a session closed before it was joined, an HTTP error, a hang). */
  openRetries = 0;
  /** The ramp's deadline passed: a first open that fails now fails for good. */
  #openStopped = false;
  /** A retry of the first open is waiting out its backoff (#retryTimer is its timer). */
  #openBackoff = false;
  /** Reconnect attempts since the connection was last known healthy. */
  #attempts = 0;
  /** True while a reconnect attempt's connect() is under way (settled through settleOpen). */
  #attempting = false;
  /** The next attempt, waiting out its backoff. */
  #retryTimer: NodeJS.Timeout | undefined;
  /** Why the latest attempt failed (or the loss that started them): named when the client gives up. */
  #lastCause: Error | undefined;

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
  open(): Promise<void> {
    this.state = 'connecting';
    const opened = new Promise<void>((resolve, reject) => {
      this.#resolveOpen = resolve;
      this.#rejectOpen = reject;
    });
    this.#openAttempt();
    return opened;
  }

  /**
   * True for a client that retries a failed first open on a new session after the reconnect backoff, as
   * socket.io-client's Manager does (engine-io-client.ts). Counted in `openRetries`, never in reconnects.
   */
  protected get retriesOpen(): boolean {
    return false;
  }

  /** The ramp's deadline passed: no new attempt of the first open; one waiting for its backoff fails now, with the last cause. */
  stopOpening(): void {
    this.#openStopped = true;
    if (!this.#openBackoff) return;
    this.#openBackoff = false;
    this.settleOpen(this.#lastCause!); // set by #retryOpen; settleOpen clears the backoff's timer
  }

  /** One attempt of the first open; when the client retries it, one that hangs fails after the attempt timeout. */
  #openAttempt(): void {
    if (this.retriesOpen) {
      this.#retryTimer = setTimeout(LoadClient.#openTimedOut, this.#openTimeoutMs(), this);
      this.#retryTimer.unref();
    }
    this.connect();
  }

  #openTimeoutMs(): number {
    return this.env.settings.openAttemptTimeoutMs ?? OPEN_ATTEMPT_TIMEOUT_MS;
  }

  static #openTimedOut(client: LoadClient): void {
    client.settleOpen(new Error(`open attempt not answered within ${client.#openTimeoutMs()} ms`));
    client.disconnect();
  }

  /** After a failed first-open attempt: the next one after the backoff, unless refused, stopped or out of attempts. */
  #retryOpen(error: Error): boolean {
    if (!this.retriesOpen || error instanceof OpenRefused || this.#openStopped || this.openRetries >= this.#attemptLimit) return false;
    this.#lastCause = error;
    // Each cause once per kind in the result's errors: what made the first opens fail is worth seeing.
    this.env.onError(new Error(`open attempt failed, retried: ${error.message}`));
    this.disconnect();
    const settings = this.env.settings;
    const base = settings.reconnectBaseMs ?? RECONNECT_DEFAULTS.reconnectBaseMs;
    const max = settings.reconnectMaxMs ?? RECONNECT_DEFAULTS.reconnectMaxMs;
    this.#openBackoff = true;
    this.#retryTimer = setTimeout(LoadClient.#openRetryDue, backoffDelay(this.openRetries, base, max), this);
    this.#retryTimer.unref();
    return true;
  }

  static #openRetryDue(client: LoadClient): void {
    client.#openBackoff = false;
    if (client.#state !== 'connecting') return;
    client.openRetries++;
    client.env.onOpenRetry?.();
    client.#openAttempt();
  }

  /** Ends every connection of this client, and any reconnect waiting; nothing follows. */
  close(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attempting = this.#openBackoff = false;
    this.disconnect();
    if (this.#state !== 'failed') this.#state = 'closed';
  }

  /**
   * Opens the connection(s) and subscribes from `tracker.last`, for the
   * first open and for every reconnect attempt; `reconnecting` tells which.
   * Reports through settleOpen, then (once open) connectionLost.
   */
  protected abstract connect(): void;

  /** Ends every connection (close() does the bookkeeping); their events must do nothing after it. */
  protected abstract disconnect(): void;

  /** Echo scenario: stop sending, keep receiving what is on its way. */
  quiesce(): void {}

  /** The connection of an HTTP client (polling, SSE); the `+h2` variants open an HTTP/2 one instead (h2-clients.ts). */
  protected openHttp(handlers: ConnectionHandlers): HttpLink {
    return new HttpConnection(this.env, this.target, handlers);
  }

  /**
   * A polling client's connection: openHttp's, and a new one for the next request whenever the server ended it
   * after a response. `resendCrossed`: a request answered at once (a short poll) is sent again when the server's
   * idle close crosses it (keep-alive-link.ts); a held one is not, its close is the server going away.
   */
  protected keepAliveHttp(handlers: ConnectionHandlers, resendCrossed = false): KeepAliveLink {
    return new KeepAliveLink(
      (inner) => this.openHttp(inner),
      handlers,
      () => this.connectionsReopened++,
      resendCrossed,
    );
  }

  get hostHeader(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  /** True when connect() is a reconnect attempt (resume), false for the first open. */
  protected get reconnecting(): boolean {
    return this.#attempting;
  }

  /** Parses one envelope (JSON text) and records it. */
  protected receiveEnvelope(json: string, payloadBytes: number, receivedAtMs: number): void {
    const envelope = JSON.parse(json) as { seq: number; ts: number; channel: string };
    this.env.deliveries.record(this.tracker, envelope, payloadBytes, receivedAtMs);
  }

  /** A gap signal `{from, to}` (its channel is this client's): those updates are gone, and said so. */
  protected receiveGap(gap: { from: unknown; to: unknown }): void {
    if (typeof gap.from === 'number' && typeof gap.to === 'number') this.tracker.gap(gap.from, gap.to);
  }

  /** True from open() or a reconnect attempt until settleOpen. */
  protected get opening(): boolean {
    return this.#resolveOpen !== undefined || this.#attempting;
  }

  /**
   * Ends the pending open or reconnect attempt: `open` without an error;
   * with one the first open fails, and an attempt is followed by the next
   * (or the client gives up). Does nothing when nothing is pending. A
   * connection whose open says little about its health (a long poll's
   * connect) passes `healthy: false` and calls markHealthy later.
   */
  protected settleOpen(error?: Error, healthy = true): void {
    if (this.#attempting) {
      this.#attempting = false;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      if (error) {
        this.#lastCause = error;
        // Each cause once per kind in the result's errors (with its count): what a reconnect storm ran into.
        if (this.#attempts < this.#attemptLimit) this.env.onError(new Error(`reconnect attempt failed, retried: ${error.message}`));
        this.#scheduleAttempt();
        return;
      }
      this.state = 'open';
      if (healthy) this.markHealthy();
      return;
    }
    const resolve = this.#resolveOpen;
    const reject = this.#rejectOpen;
    if (!resolve || !reject || this.#openBackoff) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (error && this.#retryOpen(error)) return;
    this.#resolveOpen = undefined;
    this.#rejectOpen = undefined;
    if (error) {
      this.state = 'failed';
      reject(this.openRetries > 0 ? new Error(`open failed after ${this.openRetries + 1} attempts: ${error.message}`) : error);
    } else {
      this.state = 'open';
      this.#lastCause = undefined;
      resolve();
    }
  }

  /** The connection proved itself (an answer came): the next loss backs off from the start again. */
  protected markHealthy(): void {
    this.#attempts = 0;
    this.#lastCause = undefined;
  }

  /**
   * The connection of an open client ended without close(). With reconnects
   * on it is counted once, its cause (a socket error, an error answer) is
   * reported, and attempts follow after the backoff; with them off the
   * client fails. The subclass has dropped the lost connection already.
   */
  protected connectionLost(cause: Error | undefined): void {
    if (this.#state !== 'open') return;
    if (!this.env.settings.reconnect) {
      this.failAfterOpen(cause ?? new Error('connection closed by the server'));
      return;
    }
    this.state = 'reconnecting';
    this.reconnectCount++;
    this.#lastCause = cause ?? this.#lastCause ?? new Error('connection closed by the server');
    if (cause) this.env.onError(cause);
    this.env.onReconnect();
    this.#scheduleAttempt();
  }

  #scheduleAttempt(): void {
    if (this.#state !== 'reconnecting') return;
    const settings = this.env.settings;
    if (this.#attempts >= this.#attemptLimit) {
      const cause = this.#lastCause?.message ?? 'no cause reported';
      this.failAfterOpen(new Error(`reconnect failed after ${this.#attempts} attempts: ${cause}`));
      return;
    }
    const base = settings.reconnectBaseMs ?? RECONNECT_DEFAULTS.reconnectBaseMs;
    const max = settings.reconnectMaxMs ?? RECONNECT_DEFAULTS.reconnectMaxMs;
    const delay = backoffDelay(this.#attempts++, base, max);
    // One timer per reconnecting client, with the client as its argument (no closure).
    this.#retryTimer = setTimeout(LoadClient.#attempt, delay, this);
    this.#retryTimer.unref();
  }

  static #attempt(client: LoadClient): void {
    client.#retryTimer = undefined;
    if (client.#state !== 'reconnecting') return;
    client.#attempting = true;
    // An attempt that hangs (a stopped or overloaded server that accepted and never answered) must not
    // leave the client reconnecting for ever: it counts as failed, and the next one follows.
    client.#retryTimer = setTimeout(LoadClient.#attemptTimedOut, client.#attemptTimeoutMs, client);
    client.#retryTimer.unref();
    client.connect();
  }

  get #attemptLimit(): number {
    return this.env.settings.reconnectAttempts ?? RECONNECT_DEFAULTS.reconnectAttempts;
  }

  get #attemptTimeoutMs(): number {
    return this.env.settings.reconnectAttemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
  }

  static #attemptTimedOut(client: LoadClient): void {
    client.#retryTimer = undefined;
    if (!client.#attempting) return;
    client.settleOpen(new Error(`reconnect attempt not answered within ${client.#attemptTimeoutMs} ms`));
    client.disconnect();
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
