/**
 * Short polling's ceiling is a request rate, and autocannon is the
 * well-kept tool for measuring one: its connections each send the next poll
 * as soon as the last is answered (a closed loop), so together they find the
 * most polls a second the endpoint answers, and the latency at that rate.
 * The polls are the fleet's own: the same `/poll` URL shape and the same
 * header profile (autocannon always adds `Connection: keep-alive`, which the
 * browser and talk profiles send anyway; for `minimal` it is one line more).
 * The cursor is the channel's head, so each poll finds nothing new: the
 * cheapest poll, which is what most polls find when updates are rarer than
 * polls. Clients served = polls/s x the poll interval.
 */
import { createRequire } from 'node:module';
import type autocannon from 'autocannon';
import { request } from 'undici';
import { type HeaderProfileName, profileHeaders } from '../clients/header-profiles.js';
import type { PollCeiling } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { round } from '../util/round.js';
import { channelNames } from './channels.js';
import type { RunEvents } from './run-events.js';
import { openTarget, type RunTarget } from './run-target.js';
import type { RunOptions } from './transport-run.js';

export const AUTOCANNON_VERSION: string = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;

export interface PollCeilingSettings {
  /** Origin of the server, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  channel: string;
  headers: HeaderProfileName;
  /** autocannon's connections (each one poll in flight at a time). */
  connections: number;
  durationMs: number;
  /** The scenario's poll interval: clients served at it = polls/s x interval. */
  pollIntervalMs: number;
}

/** The channel's head seq, from one poll at cursor 0 (the answer's cursor). */
export async function channelHead(baseUrl: string, channel: string): Promise<number> {
  const response = await request(`${baseUrl}/poll?channel=${encodeURIComponent(channel)}&cursor=0`, {
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET /poll answered ${response.statusCode}: ${text.slice(0, 200)}`);
  const cursor = (JSON.parse(text) as { cursor?: unknown }).cursor;
  if (typeof cursor !== 'number') throw new Error(`GET /poll answered without a numeric cursor: ${text.slice(0, 200)}`);
  return cursor;
}

/** Runs autocannon against the poll URL; the figures as the result records them. */
export async function measurePollCeiling(settings: PollCeilingSettings): Promise<PollCeiling> {
  const head = await channelHead(settings.baseUrl, settings.channel);
  const path = `/poll?channel=${encodeURIComponent(settings.channel)}&cursor=${head}`;
  // autocannon writes Connection itself; a second one would be a duplicate header.
  const headers = Object.fromEntries(profileHeaders(settings.headers).filter(([name]) => name.toLowerCase() !== 'connection'));
  // Loaded here, not at the top: only a short-poll capacity run needs it, and the CLI starts faster without it.
  const { default: run } = await import('autocannon');
  const result = await run({
    url: `${settings.baseUrl}${path}`,
    connections: settings.connections,
    duration: settings.durationMs / 1000,
    headers,
  });
  return pollCeilingOf(result, settings, path);
}

/** The result's figures from autocannon's, pure: answered polls (2xx, and 304 for conditional ones) per second of the run. */
export function pollCeilingOf(result: autocannon.Result, settings: PollCeilingSettings, path: string): PollCeiling {
  const answered = result['2xx'] + result['3xx'];
  const pollsPerS = result.duration > 0 ? answered / result.duration : 0;
  return {
    tool: 'autocannon',
    version: AUTOCANNON_VERSION,
    path,
    headers: settings.headers,
    connections: settings.connections,
    duration_s: round(result.duration, 2),
    polls: answered,
    polls_per_s: round(pollsPerS, 1),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    errors: result.errors,
    non_2xx: result.non2xx - result['3xx'],
    poll_interval_ms: settings.pollIntervalMs,
    clients_at_interval: Math.floor((pollsPerS * settings.pollIntervalMs) / 1000),
  };
}

/** Why the ceiling cannot be trusted (nothing answered, or more than 1% errors or refusals); undefined when it can. */
export function pollCeilingProblem(ceiling: PollCeiling): string | undefined {
  const failed = ceiling.errors + ceiling.non_2xx;
  if (ceiling.polls === 0)
    return `autocannon got no answered poll from ${ceiling.path} (${ceiling.errors} errors, ${ceiling.non_2xx} non-2xx)`;
  if (failed > ceiling.polls / 100) {
    return `autocannon: ${ceiling.errors} errors and ${ceiling.non_2xx} non-2xx answers beside ${ceiling.polls} polls from ${ceiling.path}`;
  }
  return undefined;
}

export interface CeilingRun {
  scenario: Scenario;
  options: RunOptions;
  events: RunEvents;
  transport: string;
}

/**
 * The ceiling on the run's server: a fresh embedded one (started and stopped
 * for this, like a step's) or the --target. Its figures and any reason not
 * to trust them go to the run's events; undefined when it was not measured.
 */
export async function pollCeilingOnTarget(run: CeilingRun): Promise<PollCeiling | undefined> {
  const { scenario: s, events, transport } = run;
  if (s.pollCeilingMs === 0) return undefined;
  if (run.options.adapter) {
    // The app's poll URL and cursor are the adapter's; autocannon would need them built from its poll section.
    events.add('poll-ceiling-skipped', "autocannon's poll ceiling is not measured with --adapter (only on rtbench's own /poll)", transport);
    return undefined;
  }
  let target: RunTarget | undefined;
  try {
    target = await openTarget({
      scenario: s,
      target: run.options.target,
      targetHosts: run.options.targetHosts,
      transport,
      events,
      onGone: () => {},
    });
    if (!target) return undefined;
    const ceiling = await measurePollCeiling({
      baseUrl: target.baseUrl,
      channel: channelNames(s.channels)[0]!,
      headers: s.headers,
      connections: s.pollCeilingConnections,
      durationMs: s.pollCeilingMs,
      pollIntervalMs: s.pollIntervalMs,
    });
    const problem = pollCeilingProblem(ceiling);
    if (problem) events.add('poll-ceiling-failed', problem, transport);
    else
      events.add(
        'poll-ceiling',
        `autocannon: ${ceiling.polls_per_s} polls/s, p99 ${ceiling.p99_ms} ms (${ceiling.connections} connections, ${ceiling.duration_s} s); ` +
          `${ceiling.clients_at_interval} clients at one poll per ${ceiling.poll_interval_ms} ms`,
        transport,
      );
    return ceiling;
  } catch (error) {
    events.add('poll-ceiling-failed', `autocannon could not measure the poll ceiling: ${(error as Error).message}`, transport);
    return undefined;
  } finally {
    await target?.stop();
  }
}
