/**
 * Gates as JUnit XML, so CI systems show each one as a test: a passing gate
 * is a passing test case, a failing one carries a <failure> with the
 * expression, the limit and the measured value.
 */
import { describeGate, gateName } from './gate-text.js';
import { formatQuantity } from './format.js';
import { statusLine } from './run-status.js';
import type { GateResult, RunResult } from '../result/schema.js';

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters at all, even escaped.
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function testCase(gate: GateResult, suite: string): string {
  // CI UIs group test cases by class: one class per transport.
  const classname = gate.transport ? `${suite}.${gate.transport}` : suite;
  const open = `    <testcase classname="${xml(classname)}" name="${xml(gateName(gate))}" time="0"`;
  if (gate.pass) return `${open}/>`;
  const body = [
    `expr: ${gate.expr}`,
    ...(gate.transport ? [`transport: ${gate.transport}`] : []),
    `limit: ${gate.limit === undefined ? '-' : `${gate.op ? `${gate.op} ` : ''}${formatQuantity(gate.limit, gate.unit)}`}`,
    `measured: ${gate.value === null ? `not measured (${gate.error ?? 'no value'})` : formatQuantity(gate.value, gate.unit)}`,
  ].join('\n');
  return `${open}>\n      <failure type="threshold" message="${xml(describeGate(gate))}">${xml(body)}</failure>\n    </testcase>`;
}

function statusCase(result: RunResult, suite: string): { xml?: string; failed: boolean } {
  if (result.status === undefined) return { failed: false };
  const open = `    <testcase classname="${xml(suite)}" name="run is valid" time="0"`;
  const line = statusLine(result);
  if (!line) return { xml: `${open}/>`, failed: false };
  return {
    xml: `${open}>\n      <failure type="${xml(result.status)}" message="${xml(line)}">${xml((result.problems ?? []).join('\n'))}</failure>\n    </testcase>`,
    failed: true,
  };
}

export function renderJunit(result: RunResult): string {
  const suite = `rtbench.gates.${result.scenario}`;
  // The run's own validity is a test case too: a CI must not see green gates on a run whose server died.
  const status = statusCase(result, suite);
  const failures = result.gates.filter((gate) => !gate.pass).length + (status.failed ? 1 : 0);
  const tests = result.gates.length + (status.xml ? 1 : 0);
  // JUnit's timestamp has no zone or fraction.
  const timestamp = result.started_at ? ` timestamp="${xml(new Date(result.started_at).toISOString().slice(0, 19))}"` : '';
  const cases = [...(status.xml ? [status.xml] : []), ...result.gates.map((gate) => testCase(gate, suite))];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rtbench" tests="${tests}" failures="${failures}" errors="0" time="0">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="0"${timestamp}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
