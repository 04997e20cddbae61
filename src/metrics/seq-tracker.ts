/**
 * Loss, duplicate and reorder detection for one subscription, from the
 * per-channel `seq`. Gaps are remembered so that a late arrival counts as
 * reordered rather than as a duplicate; the set stays empty on a healthy run.
 */
export class SeqTracker {
  /** Highest seq seen so far; starts at the subscription cursor. */
  last: number;
  readonly first: number;
  unique = 0;
  duplicated = 0;
  reordered = 0;
  /** Gap signals received: the server said the updates in a range are gone (older than its history). */
  gaps = 0;
  /** Updates inside those ranges: missed, but said so, so not lost. */
  gapUpdates = 0;
  #missing: Set<number> | undefined;

  constructor(cursor = 0) {
    this.last = cursor;
    this.first = cursor;
  }

  /** Returns true when the seq is new (not a duplicate). */
  observe(seq: number): boolean {
    if (seq === this.last + 1) {
      this.last = seq;
      this.unique++;
      return true;
    }
    if (seq > this.last) {
      this.#missing ??= new Set();
      for (let s = this.last + 1; s < seq && this.#missing.size < 100_000; s++) this.#missing.add(s);
      this.last = seq;
      this.unique++;
      return true;
    }
    if (this.#missing?.delete(seq)) {
      this.reordered++;
      this.unique++;
      return true;
    }
    this.duplicated++;
    return false;
  }

  /** Messages published in (first, head] that never arrived. */
  lost(head: number): number {
    return (this.#missing?.size ?? 0) + Math.max(0, head - this.last);
  }

  expected(head: number): number {
    return Math.max(0, head - this.first);
  }
}
