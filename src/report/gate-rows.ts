/** Gate results as table rows, shared by the Markdown and HTML reports. */
import { formatQuantity } from './format.js';
import type { GateResult } from '../result/schema.js';

export const GATE_HEADER = ['result', 'gate', 'transport', 'measured', 'limit'];

export function gateRows(gates: GateResult[]): { pass: boolean; cells: string[] }[] {
  return gates.map((gate) => ({
    pass: gate.pass,
    cells: [
      gate.pass ? 'pass' : 'FAIL',
      gate.expr,
      gate.transport ?? '-',
      gate.value === null ? `not measured: ${gate.error ?? 'no value'}` : formatQuantity(gate.value, gate.unit),
      gate.limit === undefined ? '-' : `${gate.op ? `${gate.op} ` : ''}${formatQuantity(gate.limit, gate.unit)}`,
    ],
  }));
}

export function gateSummary(gates: GateResult[]): string {
  const failed = gates.filter((gate) => !gate.pass).length;
  if (failed === 0) return gates.length === 1 ? 'the gate passed' : `all ${gates.length} gates passed`;
  return `${failed} of ${gates.length} gate${gates.length === 1 ? '' : 's'} failed`;
}
