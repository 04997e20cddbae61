/**
 * Random bytes for WebSocket mask keys and handshake keys, taken from one
 * pool refilled when spent, as the ws library does: one randomFillSync per
 * 8 KB instead of one per frame. Per-frame calls were 3 % of a client
 * process's CPU in a 7,000-client reconnect storm (every frame a client
 * sends is masked). The bytes need not be secret: masking only keeps
 * intermediaries from reading client frames as something else (RFC 6455 10.3).
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** Copies `length` (at most 64) fresh random bytes into `target` at `at`. */
export function takeRandom(target: Buffer, at: number, length: number): void {
  if (offset + length > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  pool.copy(target, at, offset, offset + length);
  offset += length;
}
