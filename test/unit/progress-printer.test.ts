/** Progress in a terminal rewrites one line; in a log it prints plain lines, a phase change at once, else one per interval. */
import { describe, expect, it } from 'vitest';
import { ProgressPrinter } from '../../src/cli/progress-printer.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 40, write: (text: string) => writes.push(text) };
}

describe('progress printer', () => {
  it('rewrites one line in place on a terminal, and ends it once', () => {
    const out = stream(true);
    const printer = new ProgressPrinter(out);
    printer.update('ramp 1', 'ramp');
    printer.update('ramp 2', 'ramp');
    printer.done();
    printer.done();
    expect(out.writes).toEqual([`\r${'ramp 1'.padEnd(39)}`, `\r${'ramp 2'.padEnd(39)}`, '\n']);
  });

  it('writes plain lines without carriage returns when not a terminal', () => {
    const out = stream(false);
    let now = 0;
    const printer = new ProgressPrinter(out, 10_000, () => now);
    printer.update('ramp 1', 'ramp');
    now = 1000;
    printer.update('ramp 2', 'ramp'); // held back: same phase, within the interval
    now = 2000;
    printer.update('steady 1', 'steady'); // a new phase prints at once
    now = 12_500;
    printer.update('steady 2', 'steady');
    printer.done();
    expect(out.writes).toEqual(['ramp 1\n', 'steady 1\n', 'steady 2\n']);
    expect(out.writes.join('')).not.toContain('\r');
  });
});
