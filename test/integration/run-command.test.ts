/**
 * `rtbench run` end to end on a small, deterministic load: every process it
 * starts is gone afterwards, nothing is lost, and the byte figures in the
 * result hold together.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/schema.js';
import { CLI, cliOutcome } from '../helpers/server.js';

/** The runs here take 15-20 s on a quiet machine; a loaded one may need several times that. */
const RUN_TIMEOUT_MS = 120_000;

function rtbench(args: string[], timeout = RUN_TIMEOUT_MS) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout });
}

function descendantsOf(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

describe('rtbench run', () => {
  it(
    'runs every built transport and writes a consistent result',
    () => {
      const out = mkdtempSync(path.join(tmpdir(), 'rtbench-run-'));
      const result = rtbench([
        'run',
        'smoke',
        '--clients',
        '40',
        '--duration',
        '2s',
        '--channels',
        '4',
        '--rate',
        '4',
        '--out',
        out,
        '--quiet',
      ]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^transport +clients open\/target +delivered\/expected/m);
      expect(result.stdout).toMatch(new RegExp(`^Result: +${out}/smoke-`, 'm'));
      expect(result.stdout).toMatch(/^Reports: .+\.md, .+\.html/m);
      const run = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as RunResult;
      expect(run.schema).toBe('rtbench.run/1');
      expect(run.scenario).toBe('smoke');
      expect(Object.keys(run.transports).length).toBeGreaterThanOrEqual(4);
      for (const [name, t] of Object.entries(run.transports)) {
        expect(t.clients, name).toMatchObject({ target: 40, open: 40, failed: 0 });
        expect(t.updates.published, name).toBeGreaterThan(20);
        expect(t.updates.expected, name).toBe(t.updates.published * 10);
        expect(t.updates, name).toMatchObject({ delivered: t.updates.expected, lost: 0, duplicated: 0, reordered: 0 });
        expect(t.bytes.down, name).toBeGreaterThan(t.bytes.payload);
        const steady = t.bytes.steady!;
        expect(steady.delivered, name).toBe(t.updates.delivered);
        expect(t.bytes.per_update, name).toBeCloseTo((steady.down + steady.up) / steady.delivered, 1);
        expect(t.latency_us.count, name).toBe(t.updates.delivered);
        expect(t.latency_us.p50, name).toBeGreaterThan(0);
      }
      // The framing story the comparison is about: WebSocket overhead is a few
      // bytes per update, long polling pays an HTTP exchange for each.
      expect(run.transports.ws!.bytes.overhead_per_update).toBeLessThan(10);
      expect(run.transports['long-poll']!.bytes.overhead_per_update).toBeGreaterThan(200);
      expect(descendantsOf(result.pid!)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'drives fallback sessions across --workers 3: every session upgrades and subscribes, nothing lost',
    () => {
      // A session's POST, poll and upgrade reach different workers; a client
      // that sent `5` before its POST landed lost that POST (CONNECT, subscribe)
      // and never opened. 1,500 sessions made that race show every time.
      const out = mkdtempSync(path.join(tmpdir(), 'rtbench-run-'));
      const args = ['run', 'smoke', '--transports', 'fallback', '--clients', '1500', '--workers', '3'];
      const result = rtbench([...args, '--duration', '1s', '--channels', '5', '--rate', '1', '--out', out, '--quiet', '--report', 'none']);
      expect(result.status, result.stderr).toBe(0);
      const run = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as RunResult;
      const fallback = run.transports.fallback!;
      expect(fallback.clients).toMatchObject({ target: 1500, open: 1500, failed: 0, connecting: 0 });
      expect(fallback.updates).toMatchObject({ delivered: fallback.updates.expected, lost: 0, duplicated: 0, reordered: 0 });
      expect(fallback.updates.expected).toBeGreaterThan(0);
      expect(descendantsOf(result.pid!)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it('refuses bad options and scenarios with exit code 2 and a message naming them', async () => {
    const [transports, variant, scenario, clients] = await Promise.all([
      cliOutcome(['run', '--transports', 'ws,carrier-pigeon']),
      cliOutcome(['run', '--transports', 'sse+H2']),
      cliOutcome(['run', 'nope']),
      cliOutcome(['run', '--clients', '0']),
    ]);
    expect(transports.status).toBe(2);
    expect(transports.stderr).toContain('unknown transport "carrier-pigeon"');
    expect(variant.status).toBe(2);
    expect(variant.stderr).toContain('"sse+H2" is not a transport name');
    expect(scenario.status).toBe(2);
    expect(scenario.stderr).toContain('unknown scenario "nope"');
    expect(clients.status).toBe(2);
    expect(clients.stderr).toContain("option '--clients <n>' argument '0' is invalid");
  });
});
