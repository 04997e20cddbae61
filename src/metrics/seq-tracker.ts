/**
 * Loss, duplicate and reorder detection for one subscription, from the
 * per-channel `seq`. Gaps are remembered so that a late arrival counts as
 * reordered rather than as a duplicate; the set stays empty on a healthy run.
 */

/** Seqs remembered as missing per subscription; past it a hole is still lost, only no longer told from a late arrival. */
const MAX_MISSING = 100_000;

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
      this.#skipTo(seq - 1);
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

  /**
   * The server said the updates `from`..`to` (inclusive) are gone: those not
   * received count as gap updates instead of lost ones, and the cursor moves
   * past them so a resume does not ask for them again.
   */
  gap(from: number, to: number): void {
    this.gaps++;
    if (!(to >= from)) return;
    // Updates between the cursor and the gap were not declared gone: still owed.
    if (from > this.last + 1) this.#skipTo(from - 1);
    let missed = 0;
    const missing = this.#missing;
    if (missing && missing.size > 0) {
      const below = Math.min(to, this.last);
      if (below - from + 1 < missing.size) {
        for (let seq = from; seq <= below; seq++) if (missing.delete(seq)) missed++;
      } else {
        for (const seq of missing) if (seq >= from && seq <= below && missing.delete(seq)) missed++;
      }
    }
    if (to > this.last) {
      missed += to - Math.max(this.last, from - 1);
      this.last = to;
    }
    this.gapUpdates += missed;
  }

  /** Messages published in (first, head] that never arrived. */
  lost(head: number): number {
    return (this.#missing?.size ?? 0) + Math.max(0, head - this.last);
  }

  expected(head: number): number {
    return Math.max(0, head - this.first);
  }

  /** Remembers last+1..seq as missing (bounded), without moving `last`. */
  #skipTo(seq: number): void {
    this.#missing ??= new Set();
    for (let s = this.last + 1; s <= seq && this.#missing.size < MAX_MISSING; s++) this.#missing.add(s);
  }
}
