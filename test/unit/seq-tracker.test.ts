import { expect, it } from 'vitest';
import { SeqTracker } from '../../src/metrics/seq-tracker.js';

it('tells loss, duplicates and reordering apart', () => {
  const tracker = new SeqTracker(0);
  for (const seq of [1, 2, 4, 3, 3, 6, 7, 7]) tracker.observe(seq);
  expect({ unique: tracker.unique, duplicated: tracker.duplicated, reordered: tracker.reordered }).toEqual({
    unique: 6,
    duplicated: 2,
    reordered: 1,
  });
  // 5 never came, 8 and 9 were published but never arrived.
  expect(tracker.lost(9)).toBe(3);
  expect(tracker.expected(9)).toBe(9);
  const resumed = new SeqTracker(10);
  resumed.observe(11);
  expect([resumed.lost(11), resumed.expected(11)]).toEqual([0, 1]);
});
