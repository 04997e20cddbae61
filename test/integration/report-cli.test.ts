/**
 * `rtbench model`, `report` and `compare` as a user runs them, in process
 * through runCli: output, exit codes (0 ok, 1 I/O error, 2 bad usage or
 * invalid file, 99 gate failed) and the messages that go with them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { SMOKE_FIXTURE, smokeJson } from '../helpers/run-fixture.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  const capture = (sink: 'out' | 'err') => (chunk: unknown) => {
    if (sink === 'out') out += String(chunk);
    else err += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture('out') as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture('err') as typeof process.stderr.write);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out += `${args.join(' ')}\n`;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    err += `${args.join(' ')}\n`;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const dir = mkdtempSync(path.join(tmpdir(), 'rtbench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function runFile(name: string, edit: (json: Record<string, any>) => void): string {
  const json = smokeJson();
  edit(json);
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('rtbench model', () => {
  it("prints the talk's table by default", async () => {
    expect(await runCli(['model'])).toBe(0);
    expect(out).toContain(
      '100,000    696,800,000         664.5   665              696.8        1,600,000           1.526  1.526                  1.6             435.5x',
    );
    expect(err).toBe('');
  });

  it('puts a run beside the model, as JSON too', async () => {
    expect(await runCli(['model', '--clients', '100000', '--framing', 'rfc6455', '--from-run', SMOKE_FIXTURE, '--format', 'json'])).toBe(0);
    const json = JSON.parse(out);
    expect(json.model.rows[0].polling.bits_per_s).toBe(696_800_000);
    expect(json.measured.find((row: { transport: string }) => row.transport === 'ws')).toMatchObject({
      model_overhead_per_update: 4,
      measured_overhead_per_update: 4,
    });
  });

  it('refuses a bad option with exit 2', async () => {
    expect(await runCli(['model', '--clients', '1000,lots'])).toBe(2);
    expect(err).toContain("option '--clients <list>' argument '1000,lots' is invalid");
    expect(await runCli(['model', '--framing', 'hixie'])).toBe(2);
  });
});

describe('rtbench report', () => {
  it('renders Markdown to stdout and JUnit to a file', async () => {
    expect(await runCli(['report', SMOKE_FIXTURE])).toBe(0);
    expect(out).toMatch(/^## rtbench run: smoke\n/);
    const junit = path.join(dir, 'deep', 'gates.xml');
    expect(await runCli(['report', SMOKE_FIXTURE, '--format', 'junit', '--out', junit, '--threshold', 'lost==0'])).toBe(0);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuites name="rtbench" tests="5" failures="0"');
  });

  it('exits 99 when a gate fails, still writing the report, and names the gate', async () => {
    const gates = path.join(dir, 'gates.json');
    writeFileSync(gates, JSON.stringify({ thresholds: ['ws.latency: p(99)<4ms', 'lost==0'] }));
    const junit = path.join(dir, 'failing.xml');
    expect(await runCli(['report', SMOKE_FIXTURE, '--format', 'junit', '--out', junit, '--gates', gates])).toBe(99);
    expect(err).toContain('rtbench report: 1 of 6 gates failed:\n  FAIL: ws.latency: p(99)<4ms: measured 4.971 ms, limit < 4 ms\n');
    expect(readFileSync(junit, 'utf8')).toContain('failures="1"');
  });

  it('exits 98 when gates are checked on a run whose server died, even if every gate passes', async () => {
    const file = runFile('died.json', (json) => {
      json.status = 'invalid';
      json.problems = ['ws: the server under test exited during the run (the embedded server exited (SIGKILL))'];
    });
    const junit = path.join(dir, 'died.xml');
    expect(await runCli(['report', file, '--format', 'junit', '--out', junit, '--threshold', 'lost==0'])).toBe(98);
    expect(err).toContain('the run is invalid, so its gates cannot pass it');
    expect(readFileSync(junit, 'utf8')).toContain(
      '<testcase classname="rtbench.gates.smoke" name="run is valid" time="0">\n      <failure type="invalid"',
    );
  });

  it('refuses an invalid run result with exit 2, naming the field', async () => {
    const bad = runFile('bad.json', (json) => {
      json.transports.ws.latency_us.p99 = 'slow';
    });
    expect(await runCli(['report', bad])).toBe(2);
    expect(err).toBe(
      `rtbench report: ${bad} is not a valid rtbench.run/1 run result:\n  transports.ws.latency_us.p99: Invalid input: expected number, received string\n`,
    );
    const notJson = path.join(dir, 'not.json');
    writeFileSync(notJson, '{"schema":');
    expect(await runCli(['report', notJson])).toBe(2);
    expect(err).toContain(`${notJson} is not JSON`);
  });

  it('exits 1 when the file cannot be read or the report cannot be written', async () => {
    expect(await runCli(['report', path.join(dir, 'nope.json')])).toBe(1);
    expect(err).toContain('cannot read');
    expect(await runCli(['report', SMOKE_FIXTURE, '--out', path.join(SMOKE_FIXTURE, 'x.md')])).toBe(1);
    expect(err).toContain('cannot write');
  });

  it('refuses a threshold that does not parse with exit 2, pointing at it', async () => {
    expect(await runCli(['report', SMOKE_FIXTURE, '--threshold', 'ws.latency: p(99)<<1s'])).toBe(2);
    expect(err).toContain('invalid threshold "ws.latency: p(99)<<1s" at position 19: expected a number, found "<"');
    expect(out).toBe('');
  });

  it('refuses an unknown format with exit 2', async () => {
    expect(await runCli(['report', SMOKE_FIXTURE, '--format', 'pdf'])).toBe(2);
    expect(err).toContain("argument 'pdf' is invalid. Allowed choices are md, html, junit, json.");
  });
});

describe('rtbench compare', () => {
  it('exits 0 for the same run', async () => {
    expect(await runCli(['compare', SMOKE_FIXTURE, SMOKE_FIXTURE])).toBe(0);
    expect(out).toContain('no regression (70 figures compared, 20 not in both results, tolerance ±10%)');
  });

  it('exits 99 on a regression, naming each metric with base, head and change', async () => {
    const head = runFile('head.json', (json) => {
      json.transports.ws.bytes.per_update = 145;
      json.transports.sse.latency_us.p99 = 9500;
      json.transports['long-poll'].latency_us.p99 = 9500;
      json.transports['long-poll'].latency_us.p50 = 3900; // +2%: within the tolerance
    });
    expect(await runCli(['compare', SMOKE_FIXTURE, head, '--max-regression', '5%'])).toBe(99);
    expect(err).toBe(
      'rtbench compare: 3 regressions:\n' +
        '  long-poll latency.p99: 8.895 ms -> 9.5 ms (+6.8%; limit ±5%)\n' +
        '  sse latency.p99: 8.215 ms -> 9.5 ms (+15.6%; limit ±5%)\n' +
        '  ws bytes_per_update: 143 B -> 145 B (+1.4%; any worsening fails)\n',
    );
    expect(out).toMatch(/^ws +bytes_per_update +143 B +145 B +\+1\.4% +exact +REGRESSED$/m);
    expect(out).toMatch(/^long-poll +latency\.p50 +3\.821 ms +3\.9 ms +\+2\.1% +±5% +ok$/m);
  });

  it('refuses a bad --max-regression with exit 2', async () => {
    expect(await runCli(['compare', SMOKE_FIXTURE, SMOKE_FIXTURE, '--max-regression', 'ten'])).toBe(2);
    expect(err).toContain("option '--max-regression <percent>' argument 'ten' is invalid");
  });
});
