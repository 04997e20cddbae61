/** Plain-text and Markdown tables. By default the first column is text (left) and the rest numbers (right). */

export type Align = 'left' | 'right';

const alignOf = (align: Align[], column: number): Align => align[column] ?? (column === 0 ? 'left' : 'right');

export function textTable(header: string[], rows: string[][], align: Align[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (alignOf(align, column) === 'left' ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** GitHub-flavoured Markdown; `|` in a cell is escaped so it cannot split the row. */
export function markdownTable(header: string[], rows: string[][], align: Align[] = []): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (row: string[]) => `| ${row.map(cell).join(' | ')} |`;
  const rule = header.map((_, column) => (alignOf(align, column) === 'right' ? '---:' : '---'));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}
