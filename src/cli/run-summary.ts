/**
 * The summary `rtbench run` prints at the end: the same rows as the Markdown
 * and HTML reports (built from the validated result), as plain text.
 */
import type { RunResult } from '../result/schema.js';
import {
  CAPACITY_HEADER,
  CAPACITY_STEP_HEADER,
  capacityRows,
  capacityStepRows,
  POLL_CEILING_HEADER,
  pollCeilingRows,
  STEP_ALIGN,
} from '../report/capacity-table.js';
import { FAULT_HEADER, faultRows, statusLine } from '../report/run-status.js';
import { textTable } from '../report/tables.js';
import { transportNotes, transportRows, TRANSPORT_HEADER } from '../report/transport-table.js';
import { todayTableText } from '../report/wire-today.js';

export function formatSummary(result: RunResult): string {
  const parts = [textTable(TRANSPORT_HEADER, transportRows(result))];
  const notes = transportNotes(result);
  if (notes.length > 0) parts.push(notes.map((note) => `- ${note}`).join('\n'));
  if (result.faults?.length) parts.push(`Faults\n${textTable(FAULT_HEADER, faultRows(result), ['left', 'right', 'left'])}`);
  const status = statusLine(result);
  if (status) parts.push(status);
  if (result.capacity) {
    parts.push(`Capacity\n${textTable(CAPACITY_HEADER, capacityRows(result))}`);
    parts.push(textTable(CAPACITY_STEP_HEADER, capacityStepRows(result), STEP_ALIGN));
    const ceiling = pollCeilingRows(result);
    if (ceiling.length > 0) parts.push(`Short-poll ceiling (autocannon)\n${textTable(POLL_CEILING_HEADER, ceiling)}`);
  }
  const today = todayTableText(result);
  parts.push(`${today.title}\n${textTable(today.header, today.rows, ['left', 'left'])}`);
  return parts.join('\n\n');
}
