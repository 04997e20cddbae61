/** One-line descriptions of gate results and regressions, for the CLI, Markdown and JUnit. */
import { formatChange, formatQuantity } from './format.js';
import type { GateResult } from '../result/schema.js';
import type { ComparisonRow } from '../gates/compare.js';

/**
 * The gate's name in reports: the expression, plus the transport it was
 * checked on when the expression does not name it (`lost==0 [sse]`), so
 * every expanded gate has its own name.
 */
export function gateName(gate: GateResult): string {
  return gate.transport && !gate.expr.includes(`${gate.transport}.`) ? `${gate.expr} [${gate.transport}]` : gate.expr;
}

export function describeGate(gate: GateResult): string {
  const limit = gate.limit === undefined ? '' : `${gate.op ? `${gate.op} ` : ''}${formatQuantity(gate.limit, gate.unit)}`;
  if (gate.value === null) return `${gate.pass ? 'pass' : 'FAIL'}: ${gateName(gate)}: not measured (${gate.error ?? 'no value'})`;
  return `${gate.pass ? 'pass' : 'FAIL'}: ${gateName(gate)}: measured ${formatQuantity(gate.value, gate.unit)}${limit ? `, limit ${limit}` : ''}`;
}

export function describeRegression(row: ComparisonRow, maxRegression: number): string {
  if (row.rule === 'presence') return `${row.transport}: ${row.note}`;
  const change = row.change === null ? 'from 0' : formatChange(row.change);
  const rule = row.rule === 'exact' ? 'any worsening fails' : `limit ${formatChange(maxRegression).replace('+', '±')}`;
  return `${row.transport} ${row.metric}: ${formatQuantity(row.base!, row.unit)} -> ${formatQuantity(row.head!, row.unit)} (${change}; ${rule})`;
}
