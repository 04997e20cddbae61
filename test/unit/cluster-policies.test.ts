/** The small policies behind the cluster: restart back-off, the descriptor budget, rate-limited warnings. */
import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../src/servers/cluster/restart-policy.js';
import { maxConnectionsFor, openFilesLimit, parseOpenFilesLimit } from '../../src/servers/fd-limit.js';
import { IntervalLog } from '../../src/servers/interval-log.js';

describe('RestartPolicy', () => {
  it('replaces a worker that served at once, and never gives up on those', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 20; i++) expect(policy.exited(true, 'SIGKILL', i)).toEqual({ giveUp: false, delayMs: 0 });
  });

  it('backs off 100 ms doubling on start failures, and gives up at the fifth within 60 s', () => {
    const policy = new RestartPolicy();
    expect([0, 1, 2, 3].map((t) => policy.exited(false, 'exit code 3', t))).toEqual(
      [100, 200, 400, 800].map((delayMs) => ({ giveUp: false, delayMs })),
    );
    expect(policy.exited(false, 'exit code 3', 4)).toEqual({
      giveUp: true,
      reason: '5 workers failed to start within 60 s (the last: exit code 3)',
    });
  });

  it('caps the delay at 10 s, forgets failures older than the window, and starts over after a worker served', () => {
    const policy = new RestartPolicy({ firstDelayMs: 100, maxDelayMs: 10_000, maxFailures: 5, windowMs: 60_000 });
    const delays = [0, 61_000, 122_000, 183_000, 244_000, 305_000, 366_000, 427_000, 488_000].map(
      (t) => (policy.exited(false, 'exit code 1', t) as { delayMs: number }).delayMs,
    );
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
    policy.started();
    expect(policy.exited(false, 'exit code 1', 500_000)).toEqual({ giveUp: false, delayMs: 100 });
  });
});

describe('the descriptor budget', () => {
  const limits = (soft: string) =>
    'Limit                     Soft Limit           Hard Limit           Units     \n' +
    'Max processes             96365                96365                processes \n' +
    `Max open files            ${soft.padEnd(21)}20000                files     \n`;

  it('reads the soft "Max open files" limit', () => {
    expect(parseOpenFilesLimit(limits('20000'))).toBe(20_000);
    expect(parseOpenFilesLimit(limits('1024'))).toBe(1024);
  });

  it('knows no limit where /proc says unlimited or nothing', () => {
    expect(parseOpenFilesLimit(limits('unlimited'))).toBeUndefined();
    expect(parseOpenFilesLimit('')).toBeUndefined();
    expect(parseOpenFilesLimit(undefined)).toBeUndefined();
  });

  it("reads this process's own limit on Linux", () => {
    expect(openFilesLimit()).toBeGreaterThan(0);
  });

  it('is 7/8 of the limit, unbounded without one', () => {
    expect(maxConnectionsFor(20_000)).toBe(17_500);
    expect(maxConnectionsFor(1023)).toBe(895);
    expect(maxConnectionsFor(undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('IntervalLog', () => {
  it('prints the first note of a kind at once and the latest of the rest when the interval ends', async () => {
    const lines: string[] = [];
    const log = new IntervalLog(100, (line) => lines.push(line), 'p:');
    log.note('refused', 'refused 1');
    log.note('refused', 'refused 2');
    log.note('refused', 'refused 3');
    log.note('paused', 'paused');
    expect(lines).toEqual(['p: refused 1', 'p: paused']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lines).toEqual(['p: refused 1', 'p: paused', 'p: refused 3']);
  });
});
