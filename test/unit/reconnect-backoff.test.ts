import { expect, it } from 'vitest';
import { backoffDelay, RECONNECT_DEFAULTS } from '../../src/clients/reconnect-backoff.js';

const { reconnectBaseMs: base, reconnectMaxMs: max } = RECONNECT_DEFAULTS;

it('full jitter: attempt n waits random() times min(cap, base * 2^n)', () => {
  const bounds = [0, 1, 2, 3, 4, 5, 6, 11].map((attempt) => backoffDelay(attempt, base, max, () => 1));
  expect(bounds).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  expect(backoffDelay(3, base, max, () => 0.5)).toBe(1000);
  expect(backoffDelay(3, base, max, () => 0)).toBe(0);
});

it('the defaults: base 250 ms, cap 5 s, 20 attempts (at most ~83 s of waiting, ~41 s on average)', () => {
  expect(RECONNECT_DEFAULTS).toEqual({ reconnectBaseMs: 250, reconnectMaxMs: 5000, reconnectAttempts: 20 });
  let worst = 0;
  for (let attempt = 0; attempt < RECONNECT_DEFAULTS.reconnectAttempts; attempt++) worst += backoffDelay(attempt, base, max, () => 1);
  expect(worst).toBe(250 + 500 + 1000 + 2000 + 4000 + 15 * 5000);
});

it('with Math.random the delay stays inside [0, bound)', () => {
  for (let i = 0; i < 1000; i++) {
    const delay = backoffDelay(2, base, max);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(1000);
  }
});
