/** The per-transport summary every report format shows, as header + rows of text. */
import { formatMs, formatNumber } from './format.js';
import type { RunResult } from '../result/schema.js';

export const TRANSPORT_HEADER = [
  'transport',
  'clients open/target',
  'delivered/expected',
  'lost/dup/reord',
  'B/update',
  'overhead B/update',
  'p50 ms',
  'p99 ms',
  'max ms',
  'updates/s achieved/intended',
  'CPU s server/clients',
];

export function transportRows(result: RunResult): string[][] {
  return Object.entries(result.transports).map(([name, t]) => {
    const delivered = t.updates.delivered > 0;
    // Without deliveries the per-update figures are 0 by convention, not measurements.
    const perUpdate = (value: number) => (delivered ? formatNumber(value, 2) : '-');
    const latency = (us: number) => (delivered ? formatMs(us) : '-');
    return [
      name,
      `${formatNumber(t.clients.open)}/${formatNumber(t.clients.target)}`,
      `${formatNumber(t.updates.delivered)}/${formatNumber(t.updates.expected)}`,
      `${t.updates.lost}/${t.updates.duplicated}/${t.updates.reordered}`,
      perUpdate(t.bytes.per_update),
      perUpdate(t.bytes.overhead_per_update),
      latency(t.latency_us.p50),
      latency(t.latency_us.p99),
      latency(t.latency_us.max),
      `${formatNumber(t.rate.achieved, 1)}/${formatNumber(t.rate.intended, 1)}`,
      `${formatNumber(t.processes.server.cpu_s, 2)}/${formatNumber(t.processes.clients.cpu_s, 2)}`,
    ];
  });
}

/** What a reader should not miss: saturation, failed clients, losses, errors. */
export function transportNotes(result: RunResult): string[] {
  const notes: string[] = [];
  for (const [name, t] of Object.entries(result.transports)) {
    if (t.rate.saturated) notes.push(`${name}: saturated - the machine could not keep the intended schedule`);
    if (t.clients.failed > 0)
      notes.push(`${name}: ${formatNumber(t.clients.failed)} of ${formatNumber(t.clients.target)} clients failed to connect`);
    if (t.clients.dropped) notes.push(`${name}: ${formatNumber(t.clients.dropped)} clients dropped and not back by the end`);
    if (t.clients.reconnected)
      notes.push(
        `${name}: ${formatNumber(t.clients.reconnected)} clients reconnected (${formatNumber(t.clients.reconnects ?? 0)} reconnections)`,
      );
    if (t.clients.open_retries)
      notes.push(
        `${name}: ${formatNumber(t.clients.open_retries)} retries of first opens that failed (new sessions, as socket.io-client retries)`,
      );
    if (t.publish?.failed)
      notes.push(
        `${name}: ${formatNumber(t.publish.failed)} of ${formatNumber(t.publish.attempted)} publishes never acknowledged (counted as lost)`,
      );
    if (t.updates.gaps)
      notes.push(
        `${name}: ${formatNumber(t.updates.gaps)} gap signals, ${formatNumber(t.updates.gap_updates ?? 0)} updates older than the history (said, not lost)`,
      );
    const missing = t.updates.lost + t.updates.duplicated + t.updates.reordered;
    if (missing > 0) notes.push(`${name}: ${t.updates.lost} lost, ${t.updates.duplicated} duplicated, ${t.updates.reordered} reordered`);
    for (const error of t.errors ?? []) notes.push(`${name}: ${error}`);
  }
  return notes;
}

/** One line about where and how the run was made. */
export function runHeadline(result: RunResult): string {
  const parts = [`scenario ${result.scenario}`];
  if (result.started_at) parts.push(`started ${result.started_at}`);
  if (result.duration_s !== undefined) parts.push(`${formatNumber(result.duration_s, 1)} s in all`);
  if (result.target) parts.push(`target ${result.target}`);
  const m = result.machine;
  const machine = [
    m.cpus !== undefined ? `${m.cpus} CPUs${m.cpu_model ? ` (${m.cpu_model})` : ''}` : m.cpu_model,
    m.memory_gb !== undefined ? `${formatNumber(m.memory_gb, 1)} GB` : undefined,
    m.node ? `Node ${m.node}` : undefined,
    m.platform ? `${m.platform}${m.release ? ` ${m.release}` : ''}` : undefined,
  ].filter(Boolean);
  if (machine.length) parts.push(`machine: ${machine.join(', ')}`);
  return parts.join('; ');
}
