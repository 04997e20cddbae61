/**
 * Server warnings to stderr at most once per interval and kind: a limit hit
 * thousands of times a second during a ramp is one line, with the latest
 * figures, not thousands. Nothing is lost: a note that arrives within the
 * interval is printed when it ends.
 */
export class IntervalLog {
  readonly #lastAt = new Map<string, number>();
  readonly #pending = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly intervalMs: number,
    private readonly write: (line: string) => void = (line) => console.error(line),
    private readonly prefix = `rtbench serve: pid ${process.pid}:`,
  ) {}

  /** Prints `text` now if nothing of this kind was printed within the interval, else at its end. */
  note(kind: string, text: string): void {
    const now = performance.now();
    const last = this.#lastAt.get(kind);
    if (last === undefined || now - last >= this.intervalMs) {
      this.#lastAt.set(kind, now);
      this.#pending.delete(kind);
      this.write(`${this.prefix} ${text}`);
      return;
    }
    this.#pending.set(kind, text);
    this.#timer ??= setTimeout(() => this.#flush(), last + this.intervalMs - now).unref();
  }

  #flush(): void {
    this.#timer = undefined;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [kind, text] of pending) this.note(kind, text);
  }
}
