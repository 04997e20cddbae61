/** A comparison of two runs as a table (text or Markdown) and a one-line verdict. */
import { describeRegression } from './gate-text.js';
import type { Comparison } from '../gates/compare.js';
import { formatChange, formatQuantity } from './format.js';
import { markdownTable, textTable, type Align } from './tables.js';

const HEADER = ['transport', 'metric', 'base', 'head', 'change', 'rule', 'status'];
const ALIGN: Align[] = ['left', 'left', 'right', 'right', 'right', 'left', 'left'];

function rows(comparison: Comparison): string[][] {
  const tolerance = formatChange(comparison.max_regression).replace('+', '±');
  return comparison.rows.map((row) => [
    row.transport,
    row.metric,
    row.base === null ? '-' : formatQuantity(row.base, row.unit),
    row.head === null ? '-' : formatQuantity(row.head, row.unit),
    row.change === null ? (row.base === 0 && row.head !== null && row.head !== 0 ? 'from 0' : '-') : formatChange(row.change),
    row.rule === 'exact' ? 'exact' : row.rule === 'tolerance' ? tolerance : 'present',
    row.status === 'regressed' ? 'REGRESSED' : row.note ? `${row.status} (${row.note})` : row.status,
  ]);
}

export function comparisonVerdict(comparison: Comparison): string {
  const { regressions } = comparison;
  if (regressions.length === 0) {
    const compared = comparison.rows.filter((row) => row.status !== 'n/a').length;
    const absent = comparison.rows.length - compared;
    const tolerance = formatChange(comparison.max_regression).replace('+', '±');
    return `no regression (${compared} figures compared${absent > 0 ? `, ${absent} not in both results` : ''}, tolerance ${tolerance})`;
  }
  return `${regressions.length} regression${regressions.length === 1 ? '' : 's'}:\n${regressions.map((row) => `  ${describeRegression(row, comparison.max_regression)}`).join('\n')}`;
}

function runLabel(run: Comparison['base']): string {
  return `${run.scenario}${run.started_at ? ` (${run.started_at})` : ''}`;
}

/** The table and a count; the regressions themselves are the command's message on stderr. */
export function comparisonText(comparison: Comparison): string {
  const count = comparison.regressions.length;
  const verdict = count ? `${count} regression${count === 1 ? '' : 's'}` : comparisonVerdict(comparison);
  return `base ${runLabel(comparison.base)} vs head ${runLabel(comparison.head)}\n\n${textTable(HEADER, rows(comparison), ALIGN)}\n\n${verdict}\n`;
}

export function comparisonMarkdown(comparison: Comparison): string {
  const verdict = comparison.regressions.length
    ? `❌ ${comparisonVerdict(comparison).split('\n')[0]}\n\n${comparison.regressions.map((row) => `- ${describeRegression(row, comparison.max_regression)}`).join('\n')}`
    : `✅ ${comparisonVerdict(comparison)}`;
  return `### rtbench compare\n\nbase ${runLabel(comparison.base)} vs head ${runLabel(comparison.head)}\n\n${verdict}\n\n${markdownTable(HEADER, rows(comparison), ALIGN)}\n`;
}
