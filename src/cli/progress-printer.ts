/**
 * Progress of a long run. In a terminal: one line, rewritten in place. When
 * the stream is not a terminal (CI logs, `| tee`, a file): one plain line
 * when the phase changes and at most one per interval otherwise, never a
 * carriage return, so a log reads top to bottom.
 */
import type { Progress } from '../harness/transport-run.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressPrinter {
  readonly #live: boolean;
  #lastKey: string | undefined;
  #lastPrinted = -Infinity;
  #pending = false;

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#live = stream.isTTY === true;
  }

  /** `key` is the phase: a line of a new phase is never held back. */
  update(line: string, key = ''): void {
    if (this.#live) {
      const width = Math.max(20, (this.stream.columns ?? 100) - 1);
      this.stream.write(`\r${line.slice(0, width).padEnd(width)}`);
      this.#pending = true;
      return;
    }
    if (key === this.#lastKey && this.now() - this.#lastPrinted < this.intervalMs) return;
    this.stream.write(`${line}\n`);
    this.#lastKey = key;
    this.#lastPrinted = this.now();
  }

  /** Ends the live line, so what follows starts on a line of its own. */
  done(): void {
    if (this.#pending) this.stream.write('\n');
    this.#pending = false;
  }
}

export function progressText(p: Progress, label = p.transport): string {
  return (
    `[${label}] ${p.phase.padEnd(8)} ${p.elapsedS.toFixed(0).padStart(4)}s  ` +
    `open ${p.open}/${p.target}  failed ${p.failed}  updates/s ${p.deliveredPerS}  p99 ${(p.p99Us / 1000).toFixed(1)} ms`
  );
}
