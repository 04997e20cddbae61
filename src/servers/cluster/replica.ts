/**
 * A worker's copy of the sequencer's hub: first the history snapshot, in
 * chunks, then every numbered batch in the order the primary sent them.
 * Batches that arrive while the snapshot is still coming are kept and
 * applied after its last chunk (snapshot.ts says why).
 */
import type { Hub } from '../hub.js';
import { applyBatch, type DeliverBatch } from './publish-batch.js';
import { restoreChunk, type SnapshotChunk } from './snapshot.js';

export class Replica {
  /** Resolves once the whole snapshot is in. */
  readonly restored: Promise<void>;
  #markRestored!: () => void;
  #pending: DeliverBatch[][] | undefined = [];

  constructor(
    readonly hub: Hub,
    /** Called when the replica cannot follow the primary (a seq gap): it must not serve on. */
    private readonly onBroken: (error: Error) => void,
  ) {
    this.restored = new Promise((resolve) => {
      this.#markRestored = resolve;
    });
  }

  restore(chunk: SnapshotChunk): void {
    this.#guard(() => restoreChunk(this.hub, chunk));
    if (!chunk.last || !this.#pending) return;
    const pending = this.#pending;
    this.#pending = undefined;
    for (const batches of pending) this.deliver(batches);
    this.#markRestored();
  }

  deliver(batches: DeliverBatch[]): void {
    if (this.#pending) {
      this.#pending.push(batches);
      return;
    }
    this.#guard(() => {
      for (const batch of batches) applyBatch(this.hub, batch);
    });
  }

  #guard(apply: () => void): void {
    try {
      apply();
    } catch (error) {
      this.onBroken(error as Error);
    }
  }
}
