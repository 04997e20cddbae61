/** The summary table `rtbench run` prints at the end. */
import type { RunResult } from '../harness/run-result.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
      return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : 0);

export function formatSummary(result: RunResult): string {
  const rows = [
    ['transport', 'clients', 'delivered', 'lost', 'dup', 'reord', 'B/update', 'overhead', 'p50 ms', 'p99 ms', 'max ms', 'updates/s', 'srv cpu s', 'note'],
  ];
  for (const [name, t] of Object.entries(result.transports)) {
    const note: string[] = [];
    if (t.rate.saturated) note.push('SATURATED');
    if (t.rate.polls_intended !== undefined) note.push(`polls/s ${t.rate.polls_achieved}/${t.rate.polls_intended}`);
    if (t.clients.failed > 0) note.push(`${t.clients.failed} failed`);
    if ((t.clients.connecting ?? 0) > 0) note.push(`${t.clients.connecting} never connected`);
    rows.push([
      name,
      `${t.clients.open}/${t.clients.target}`,
      `${t.updates.delivered}/${t.updates.expected}`,
      String(t.updates.lost),
      String(t.updates.duplicated),
      String(t.updates.reordered),
      t.bytes.per_update.toFixed(1),
      t.bytes.overhead_per_update.toFixed(1),
      ms(t.latency_us.p50),
      ms(t.latency_us.p99),
      ms(t.latency_us.max),
      `${t.rate.achieved}/${t.rate.intended}`,
      t.processes.server.cpu_s.toFixed(1),
      note.join(', '),
    ]);
  }
  let text = table(rows);
  if (result.capacity) {
    const capacityRows = [['transport', 'max clients', 'clients/core', `steps (p99 limit ${Object.values(result.capacity)[0]?.slo_p99_ms ?? '?'} ms)`]];
    for (const [name, c] of Object.entries(result.capacity)) {
      const steps = c.steps.map((step) => `${step.clients}:${step.pass ? 'ok' : `FAIL (${step.reason})`}`).join(' ');
      capacityRows.push([name, String(c.max_clients), String(c.clients_per_core), steps]);
    }
    text += `\n\nCapacity\n${table(capacityRows)}`;
  }
  return text;
}
