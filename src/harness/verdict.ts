/**
 * Whether a run can be trusted, decided from its result alone: a pure
 * function, so the rule is written once and a CI reading the JSON sees the
 * same verdict the CLI's exit code gave. A failure must never look like a
 * pass: a server that died, a target that never answered, publishes the
 * server refused, a client process or a load agent that died, a scheduled fault that
 * could not be injected, or fewer clients than asked
 * (unless finding that limit is the point, as in a capacity search) make a
 * run invalid, whatever its gates say.
 */
import type { RunResult } from '../result/schema.js';

const FATAL_EVENTS: Record<string, string> = {
  'server-exit': 'the server under test exited during the run',
  'server-start-failed': 'the embedded server did not start',
  'target-unreachable': 'the target did not answer',
  'target-down': 'the target stopped answering during the run',
  'client-process-exit': 'a client process died',
  'poll-ceiling-failed': "autocannon's poll ceiling could not be measured",
  'agent-lost': 'a load agent vanished',
  'adapter-check-failed': "the adapter's check failed",
  'fault-not-injected': 'a fault of the schedule could not be injected',
};

export function runProblems(result: RunResult, kind: string): string[] {
  const problems: string[] = [];
  for (const event of result.events ?? []) {
    const what = FATAL_EVENTS[event.kind];
    if (what) problems.push(`${event.transport ? `${event.transport}: ` : ''}${what} (${event.message})`);
  }
  for (const [name, t] of Object.entries(result.transports)) {
    if (t.publish && t.publish.failed > 0) {
      problems.push(`${name}: ${t.publish.failed} of ${t.publish.attempted} publishes were never acknowledged by the server`);
    }
    // A run that was owed updates and delivered none measured nothing (a subscribe the server ignored, a marker lost).
    if (t.updates.expected > 0 && t.updates.delivered === 0) {
      problems.push(`${name}: none of the ${t.updates.expected} updates owed to the subscribers was delivered`);
    }
    const short = t.clients.target - t.clients.open;
    if (kind !== 'capacity' && short > 0) problems.push(`${name}: ${short} of ${t.clients.target} clients were not open at the end`);
  }
  return problems;
}

export function runStatus(result: RunResult, kind: string, aborted: boolean): Pick<RunResult, 'status' | 'problems'> {
  const problems = runProblems(result, kind);
  if (aborted)
    return { status: 'aborted', problems: ['the run was stopped by a signal before it finished; its figures are partial', ...problems] };
  return { status: problems.length > 0 ? 'invalid' : 'ok', problems };
}
