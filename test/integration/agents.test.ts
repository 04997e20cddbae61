/**
 * Load agents through a real redis-server: a run split over three
 * `rtbench agent` processes writes what the same run on one machine writes
 * (delivered counts, byte totals), its latency histogram is the merge of the
 * agents', an agent killed mid-run makes the run invalid (98) with an event
 * naming it, and too few agents is a clear error before anything starts.
 */
import * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantsOf } from '../../src/harness/process-stats.js';
import { mergeEncoded, summarize } from '../../src/metrics/latency.js';
import { type CliProcess, startAgents, startRun, stopAll } from '../helpers/agents.js';
import { redisForSuite } from '../helpers/redis-server.js';

const redis = redisForSuite();
let agents: CliProcess[] = [];

beforeAll(async () => {
  agents = await startAgents(redis.url, ['agent-a', 'agent-b', 'agent-c']);
}, 30_000);

afterAll(() => stopAll());

/**
 * 3 channels at 1 update/s, 1.167 s steady: updates fall due at 0, 0.33,
 * 0.67 and 1.0 s, and the steady phase ends 167 ms from either side of a
 * due time, so both runs publish the same 4 updates.
 */
const SCENARIO = ['smoke', '--clients', '30', '--channels', '3', '--rate', '1', '--duration', '1167ms', '--quiet'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('rtbench run --coordinator --agents', () => {
  it('refused before anything runs: too few agents (naming how many came), --agents alone, a coordinator not there', async () => {
    const tooFew = startRun([...SCENARIO, '--transports', 'ws', '--coordinator', redis.url, '--agents', '4', '--agents-wait', '500ms']);
    const alone = startRun(['--agents', '2']);
    const unreachable = startRun(['--coordinator', 'redis://127.0.0.1:1', '--agents', '2', '--quiet']);
    expect((await tooFew.exit).code, tooFew.stderr()).toBe(1);
    expect(tooFew.stderr()).toMatch(
      /3 of 4 load agents arrived within 0.5 s at redis:\/\/127\.0\.0\.1:\d+ \(agent-[abc], agent-[abc], agent-[abc]\)/,
    );
    expect(tooFew.stderr()).toContain('rtbench agent --coordinator');
    expect((await alone.exit).code).toBe(2);
    expect(alone.stderr()).toContain('--agents needs --coordinator <url>');
    expect((await unreachable.exit).code).toBe(1);
    expect(unreachable.stderr()).toContain('cannot reach the coordinator redis://127.0.0.1:1: connect ECONNREFUSED');
  });

  it('split over three agents: the same counts and bytes as one machine, the latency the merge of the agents', async () => {
    const local = startRun([...SCENARIO, '--transports', 'ws']);
    const split = startRun([...SCENARIO, '--transports', 'ws', '--coordinator', redis.url, '--agents', '3']);
    const [localExit, splitExit] = await Promise.all([local.exit, split.exit]);
    expect(localExit.code, local.stderr()).toBe(0);
    expect(splitExit.code, split.stderr()).toBe(0);
    const one = local.result();
    const many = split.result();
    for (const name of ['ws']) {
      const a = one.transports[name]!;
      const b = many.transports[name]!;
      expect(b.updates.published, 'both runs published the same updates').toBe(a.updates.published);
      expect(b.updates).toEqual(a.updates);
      expect(b.clients).toMatchObject({ target: 30, open: 30, failed: 0 });
      expect(b.bytes).toEqual(a.bytes);
      expect(b.updates.delivered).toBe(b.updates.expected);
      const shares = b.agents!;
      expect(shares.map((s) => s.name).sort()).toEqual(['agent-a', 'agent-b', 'agent-c']);
      expect(shares.map((s) => s.clients.target)).toEqual([10, 10, 10]);
      expect(shares.reduce((n, s) => n + s.bytes.down, 0)).toBe(b.bytes.down);
      expect(shares.reduce((n, s) => n + s.updates.delivered, 0)).toBe(b.updates.delivered);
      // The transport's latency is exactly the merge of the agents' histograms.
      const merged = summarize(mergeEncoded(shares.map((s) => s.latency_hdr)));
      expect(b.latency_us).toMatchObject({
        p50: merged.p50,
        p90: merged.p90,
        p99: merged.p99,
        max: merged.max,
        count: b.updates.delivered,
      });
      for (const share of shares) {
        const own = summarize(hdr.decodeFromCompressedBase64(share.latency_hdr, 64, false));
        expect(own.count).toBe(share.updates.delivered);
      }
      expect(a.agents).toBeUndefined();
    }
  }, 60_000);

  it('an agent killed mid-run: the run is invalid (98), an agent-lost event names it, its processes are gone', async () => {
    const run = startRun([
      ...SCENARIO.filter((arg) => arg !== '--quiet'),
      '--transports',
      'ws',
      '--duration',
      '2s',
      '--coordinator',
      redis.url,
      '--agents',
      '3',
      '--agent-timeout',
      '2s',
    ]);
    await run.waitFor(/\[ws\] steady/);
    const victim = agents[1]!;
    const tree = descendantsOf(victim.child.pid!);
    expect(tree.length, 'the agent runs a client process').toBeGreaterThan(0);
    victim.child.kill('SIGKILL');
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(98);
    const result = run.result();
    const lost = result.events!.filter((event) => event.kind === 'agent-lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.message).toMatch(
      /load agent agent-b \(.+\) vanished: nothing from it for 2000 ms; 1 client process\(es\) lost with it/,
    );
    expect(result.problems!.join('\n')).toContain('a load agent vanished');
    const ws = result.transports.ws!;
    expect(ws.clients.dropped).toBe(10);
    expect(ws.agents!.find((share) => share.name === 'agent-b')!.vanished).toBe(true);
    expect(ws.agents!.filter((share) => !share.vanished)).toHaveLength(2);
    expect(tree.filter(alive)).toEqual([]);
  }, 60_000);
});
