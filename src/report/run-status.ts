/**
 * What happened to the run, as every report shows it: the verdict and its
 * reasons, the events (a process that died, the server's own log lines, a
 * publish refused, a fault injected), and for a `faults` scenario what each
 * fault did to the clients.
 */
import type { RunResult } from '../result/schema.js';
import { formatNumber } from './format.js';

export const EVENT_HEADER = ['t s', 'transport', 'event', 'what happened'];
export const FAULT_HEADER = [
  'transport',
  'fault at s',
  'fault',
  'open before',
  'fewest open',
  'recovered in s',
  'reconnects',
  'peak reconnects/s',
  'p99 during ms',
  'p99 after ms',
];

/** Reports list at most this many events; the JSON has them all (up to its own bound). */
export const EVENTS_SHOWN = 50;

/** One sentence for the top of a report: whether the run can be trusted. */
export function statusLine(result: RunResult): string | undefined {
  if (result.status === undefined || result.status === 'ok') return undefined;
  const what = result.status === 'aborted' ? 'ABORTED: the run was stopped before it finished' : 'INVALID: this run cannot be trusted';
  return `${what}${result.problems?.length ? ` - ${result.problems.join('; ')}` : ''}`;
}

export function eventRows(result: RunResult, limit = EVENTS_SHOWN): string[][] {
  return (result.events ?? [])
    .slice(0, limit)
    .map((event) => [formatNumber(event.t_s, 1), event.transport ?? '-', event.kind, event.message]);
}

/** "and N more" when the list was cut, by the report or by the result's own bound. */
export function eventsLeftOut(result: RunResult, limit = EVENTS_SHOWN): number {
  return Math.max(0, (result.events?.length ?? 0) - limit) + (result.events_omitted ?? 0);
}

export function faultRows(result: RunResult): string[][] {
  return (result.faults ?? []).map((f) => [
    f.transport,
    formatNumber(f.at_s, 1),
    `${f.action}: ${f.detail}`,
    formatNumber(f.open_before),
    formatNumber(f.open_min),
    f.recovered_s === null ? 'not recovered' : formatNumber(f.recovered_s, 1),
    formatNumber(f.reconnects),
    formatNumber(f.reconnects_per_s_peak),
    formatNumber(f.p99_during_ms, 1),
    formatNumber(f.p99_after_ms, 1),
  ]);
}
