/** Gates as JUnit XML, exactly: one test case per gate, failures with expression, limit and measured value. */
import { describe, expect, it } from 'vitest';
import { applyGates } from '../../../src/gates/evaluate.js';
import { renderJunit } from '../../../src/report/junit.js';
import { smokeRun } from '../../helpers/run-fixture.js';

describe('renderJunit', () => {
  it('writes every gate as a test case', () => {
    const run = smokeRun((json) => {
      delete json.transports.fallback.processes.clients.cpu_us_per_update;
    });
    run.gates = applyGates(run, [
      'ws.latency: p(99)<250ms',
      'ratio(short-poll.bandwidth, ws.bandwidth)>100',
      'lost==0',
      'fallback.cpu.clients_per_update < 1ms',
    ]);
    run.gates = run.gates.filter((gate) => gate.expr !== 'lost==0' || gate.transport === 'sse');
    expect(renderJunit(run)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="rtbench" tests="4" failures="2" errors="0" time="0">',
        '  <testsuite name="rtbench.gates.smoke" tests="4" failures="2" errors="0" skipped="0" time="0" timestamp="2026-11-25T01:17:53">',
        '    <testcase classname="rtbench.gates.smoke.ws" name="ws.latency: p(99)&lt;250ms" time="0"/>',
        '    <testcase classname="rtbench.gates.smoke" name="ratio(short-poll.bandwidth, ws.bandwidth)&gt;100" time="0">',
        '      <failure type="threshold" message="FAIL: ratio(short-poll.bandwidth, ws.bandwidth)&gt;100: measured 1.701x, limit &gt; 100x">expr: ratio(short-poll.bandwidth, ws.bandwidth)&gt;100',
        'limit: &gt; 100x',
        'measured: 1.701x</failure>',
        '    </testcase>',
        '    <testcase classname="rtbench.gates.smoke.sse" name="lost==0 [sse]" time="0"/>',
        '    <testcase classname="rtbench.gates.smoke.fallback" name="fallback.cpu.clients_per_update &lt; 1ms" time="0">',
        '      <failure type="threshold" message="FAIL: fallback.cpu.clients_per_update &lt; 1ms: not measured (fallback.cpu.clients_per_update: processes.clients.cpu_us_per_update is not in this result)">expr: fallback.cpu.clients_per_update &lt; 1ms',
        'transport: fallback',
        'limit: &lt; 1,000 us',
        'measured: not measured (fallback.cpu.clients_per_update: processes.clients.cpu_us_per_update is not in this result)</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('writes an empty suite when no gates were set, and escapes XML', () => {
    const run = smokeRun((json) => {
      json.scenario = 'a&b';
      delete json.started_at;
    });
    expect(renderJunit(run)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="rtbench" tests="0" failures="0" errors="0" time="0">',
        '  <testsuite name="rtbench.gates.a&amp;b" tests="0" failures="0" errors="0" skipped="0" time="0">',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});
