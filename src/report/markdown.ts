/**
 * The run as Markdown, fit for a CI job summary ($GITHUB_STEP_SUMMARY):
 * per-transport figures, the model beside what was measured, and the gates.
 */
import { measuredVsModel } from '../model/measured-vs-model.js';
import {
  CAPACITY_HEADER,
  CAPACITY_STEP_HEADER,
  capacityRows,
  capacityStepRows,
  POLL_CEILING_HEADER,
  pollCeilingRows,
  STEP_ALIGN,
} from './capacity-table.js';
import { gateRows, gateSummary, GATE_HEADER } from './gate-rows.js';
import { measuredTableText, modelTableText, type TextTable } from './model-tables.js';
import type { RunResult } from '../result/schema.js';
import { EVENT_HEADER, eventRows, eventsLeftOut, FAULT_HEADER, faultRows, statusLine } from './run-status.js';
import { type Align, markdownTable } from './tables.js';
import { todayTableText } from './wire-today.js';

const FAULT_ALIGN: Align[] = ['left', 'right', 'left'];
import { runHeadline, transportNotes, transportRows, TRANSPORT_HEADER } from './transport-table.js';

function section(table: TextTable): string {
  return [table.title, '', markdownTable(table.header, table.rows), '', table.notes.join(' ')].join('\n');
}

export function renderMarkdown(result: RunResult): string {
  const { model, measured } = measuredVsModel(result);
  const notes = transportNotes(result);
  const out = [
    `## rtbench run: ${result.scenario}`,
    '',
    `${runHeadline(result)}.`,
    '',
    ...statusBlock(result),
    '### Transports',
    '',
    markdownTable(TRANSPORT_HEADER, transportRows(result)),
    '',
  ];
  if (notes.length) out.push(...notes.map((note) => `- ${note}`), '');
  if (result.capacity) {
    out.push('### Capacity', '', markdownTable(CAPACITY_HEADER, capacityRows(result)), '');
    out.push(markdownTable(CAPACITY_STEP_HEADER, capacityStepRows(result), STEP_ALIGN), '');
    const ceiling = pollCeilingRows(result);
    if (ceiling.length > 0) out.push(markdownTable(POLL_CEILING_HEADER, ceiling), '');
  }
  out.push(...eventsBlock(result));
  out.push('### The 871 bytes today', '', section(todayTableText(result)), '');
  out.push(
    '### Model vs measured',
    '',
    section(modelTableText(model)),
    '',
    section(measuredTableText(model, measured)),
    '',
    '### Gates',
    '',
  );
  if (result.gates.length === 0) {
    out.push('No gates were set.');
  } else {
    const rows = gateRows(result.gates).map(({ pass, cells }) => [pass ? '✅ pass' : '❌ FAIL', code(cells[1]!), ...cells.slice(2)]);
    out.push(`${gateSummary(result.gates)}.`, '', markdownTable(GATE_HEADER, rows, ['left', 'left', 'left']));
  }
  return `${out.join('\n')}\n`;
}

function statusBlock(result: RunResult): string[] {
  const line = statusLine(result);
  return line ? [`> **${line}**`, ''] : [];
}

function eventsBlock(result: RunResult): string[] {
  const out: string[] = [];
  if (result.faults?.length) out.push('### Faults', '', markdownTable(FAULT_HEADER, faultRows(result), FAULT_ALIGN), '');
  if (!result.events?.length) return out;
  out.push('### Events', '', markdownTable(EVENT_HEADER, eventRows(result), ['right', 'left', 'left', 'left']), '');
  const more = eventsLeftOut(result);
  if (more > 0) out.push(`... and ${more} more in the JSON result.`, '');
  return out;
}

/** An inline code span that survives backticks in the text. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}
