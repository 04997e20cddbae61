/**
 * The primary's side of accept switching (accept-switch.ts): it keeps the
 * anchor copy of the listening socket, hands copies to workers that start
 * or have room again, and makes sure that some worker always accepts. A
 * worker at its budget stops accepting on its own, at once; if that leaves
 * no worker accepting, every worker is full, and one of them is told to
 * accept again in overflow: it answers what is over its budget with 503
 * (counted, logged) rather than leaving new clients waiting in the queue
 * unanswered. When another worker has room again the overflow ends.
 */
import type { Worker } from 'node:cluster';
import type { ToWorker } from './messages.js';

interface Handle {
  close(): void;
}

export class AcceptCoordinator {
  #anchor: Handle | undefined;
  /** The worker that binds the socket through the cluster module, while it does. */
  #binding: Worker | undefined;
  /** Workers waiting for the anchor to arrive. */
  #waiting: Worker[] = [];
  readonly #accepting = new Set<Worker>();
  #overflow: Worker | undefined;
  #closed = false;

  constructor(private readonly send: (worker: Worker, message: ToWorker, handle?: Handle) => void) {}

  /** A worker wants to accept (at start, or with room again). */
  listenRequest(worker: Worker): void {
    if (this.#closed) return;
    if (this.#anchor) {
      this.#grant(worker, false);
      return;
    }
    if (this.#binding) {
      this.#waiting.push(worker);
      return;
    }
    // No socket yet: this worker binds it through the cluster module and sends the anchor.
    this.#binding = worker;
    this.#accepting.add(worker);
    this.send(worker, { type: 'rtb:listen', overflow: false });
  }

  /** The copy of the listening socket a worker sent after binding it. */
  anchor(worker: Worker, handle: Handle | undefined): void {
    if (!handle) return;
    if (this.#anchor || this.#closed) {
      handle.close();
      return;
    }
    this.#anchor = handle;
    if (this.#binding === worker) this.#binding = undefined;
    for (const waiting of this.#waiting.splice(0)) if (waiting.isConnected()) this.#grant(waiting, false);
  }

  /** A worker stopped accepting at its budget. */
  full(worker: Worker): void {
    this.#accepting.delete(worker);
    if (this.#overflow === worker) this.#overflow = undefined;
    this.#ensureOneAccepts(worker);
  }

  /** A worker is gone: whatever it held moves on. */
  exited(worker: Worker, live: Worker[]): void {
    this.#accepting.delete(worker);
    this.#waiting = this.#waiting.filter((w) => w !== worker);
    if (this.#overflow === worker) this.#overflow = undefined;
    if (this.#binding === worker) {
      this.#binding = undefined;
      const next = this.#waiting.shift();
      if (next) this.listenRequest(next);
    }
    const candidate = live.find((w) => w !== worker && w.isConnected());
    if (candidate) this.#ensureOneAccepts(candidate);
  }

  /** Workers accepting now (for status and tests). */
  get acceptingCount(): number {
    return this.#accepting.size;
  }

  /** Releases the anchor: the port closes once the workers let go too. */
  close(): void {
    this.#closed = true;
    this.#anchor?.close();
    this.#anchor = undefined;
  }

  #ensureOneAccepts(candidate: Worker): void {
    if (this.#accepting.size > 0 || !this.#anchor || this.#closed || !candidate.isConnected()) return;
    this.#grant(candidate, true);
  }

  #grant(worker: Worker, overflow: boolean): void {
    this.#accepting.add(worker);
    this.send(worker, { type: 'rtb:listen', overflow }, this.#anchor);
    if (overflow) {
      this.#overflow = worker;
      return;
    }
    // A worker with room accepts again: the overflowing one may stop.
    const previous = this.#overflow;
    if (previous && previous !== worker) {
      this.#overflow = undefined;
      this.send(previous, { type: 'rtb:overflow-end' });
    }
  }
}
