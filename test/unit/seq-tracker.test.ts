import { describe, expect, it } from 'vitest';
import { SeqTracker } from '../../src/metrics/seq-tracker.js';

function counts(tracker: SeqTracker) {
  const { unique, duplicated, reordered, gaps, gapUpdates, last } = tracker;
  return { unique, duplicated, reordered, gaps, gapUpdates, last };
}

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

describe('gap signals', () => {
  it('a gap right after the cursor: its updates are gap updates, not lost, and the cursor moves past it', () => {
    const tracker = new SeqTracker(0);
    tracker.observe(1);
    tracker.observe(2);
    tracker.gap(3, 9);
    for (const seq of [10, 11, 12]) tracker.observe(seq);
    expect(counts(tracker)).toEqual({ unique: 5, duplicated: 0, reordered: 0, gaps: 1, gapUpdates: 7, last: 12 });
    expect(tracker.lost(12)).toBe(0);
    expect(tracker.expected(12)).toBe(12);
  });

  it('holes already remembered inside the gap are taken off the missing set; those outside stay lost', () => {
    const tracker = new SeqTracker(0);
    for (const seq of [1, 3, 6]) tracker.observe(seq); // 2, 4, 5 missing
    tracker.gap(4, 8); // 4 and 5 (remembered holes) and 7, 8 (above last) are gone
    expect(counts(tracker)).toEqual({ unique: 3, duplicated: 0, reordered: 0, gaps: 1, gapUpdates: 4, last: 8 });
    expect(tracker.lost(8)).toBe(1); // 2 is still owed
    tracker.observe(2);
    expect(tracker.reordered).toBe(1);
    expect(tracker.lost(8)).toBe(0);
  });

  it('takes holes off the missing set from either end: a range wider than the set, and a set larger than the range', () => {
    const wide = new SeqTracker(0);
    wide.observe(1000); // 1..999 missing
    wide.gap(1, 10);
    expect([wide.gapUpdates, wide.lost(1000)]).toEqual([10, 989]);
    const narrow = new SeqTracker(0);
    narrow.observe(5); // 1..4 missing
    narrow.gap(1, 500);
    expect([narrow.gapUpdates, narrow.lost(500), narrow.last]).toEqual([499, 0, 500]);
  });

  it('updates between the cursor and a gap that starts later are still owed (missing, not gap updates)', () => {
    const tracker = new SeqTracker(0);
    tracker.gap(4, 6);
    expect(counts(tracker)).toEqual({ unique: 0, duplicated: 0, reordered: 0, gaps: 1, gapUpdates: 3, last: 6 });
    expect(tracker.lost(6)).toBe(3);
    tracker.observe(1);
    expect(tracker.reordered).toBe(1);
  });

  it('a gap already behind the cursor is counted as a signal but owes and forgives nothing', () => {
    const tracker = new SeqTracker(0);
    for (let seq = 1; seq <= 5; seq++) tracker.observe(seq);
    tracker.gap(2, 4);
    tracker.gap(5, 3); // an empty range
    expect(counts(tracker)).toEqual({ unique: 5, duplicated: 0, reordered: 0, gaps: 2, gapUpdates: 0, last: 5 });
    expect(tracker.lost(5)).toBe(0);
  });

  it('an update inside a gap that arrives anyway is a duplicate (the server said it was gone)', () => {
    const tracker = new SeqTracker(0);
    tracker.gap(1, 3);
    tracker.observe(2);
    expect([tracker.duplicated, tracker.unique]).toEqual([1, 0]);
  });
});
