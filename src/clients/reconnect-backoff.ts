/** When a client tries again after a lost connection or a failed first open, and for how long. */

/**
 * How long one reconnect attempt may take (connect, handshake, subscribe) before it counts as failed: a
 * server that accepted and never answers. As long as a first open's: in a reconnect storm a slow attempt is
 * progress, and one given up is work wasted on both sides that the next attempt does again (15 s gave up
 * 2,494 fallback reconnects after a worker was killed under 10,000 clients, and those never came back).
 */
export const ATTEMPT_TIMEOUT_MS = 45_000;
/**
 * One attempt of a retried first open: socket.io's connectTimeout, when the server closes a session whose
 * CONNECT it never got and socket.io-client retries. Not shorter: under a ramp's load a slow open is progress
 * (20 s set off a cascade of retries, polling first at 2,000 clients on a loaded machine; README).
 */
export const OPEN_ATTEMPT_TIMEOUT_MS = 45_000;

/**
 * The reconnect backoff, as socket.io-client and the AWS "full jitter" scheme do it: each attempt after a loss
 * waits a random time up to a bound that doubles per attempt, so clients dropped together (a worker died) come
 * back spread out, and a dead server costs a client twenty attempts (about 41 s of waiting on average, 83 s at
 * most) rather than a tight loop: long enough to ride out a saturated server.
 */
export const RECONNECT_DEFAULTS = { reconnectBaseMs: 250, reconnectMaxMs: 5000, reconnectAttempts: 20 } as const;

/** The wait before attempt `attempt` (0 for the first after a loss): random(0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return random() * Math.min(maxMs, baseMs * 2 ** attempt);
}
