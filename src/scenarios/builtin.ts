/** The built-in scenarios. */
import { readFile } from 'node:fs/promises';
import { parseScenario, ScenarioError, type Scenario, type ScenarioInput } from './schema.js';

const BUILTIN: Record<string, ScenarioInput> = {
  smoke: {
    name: 'smoke',
    description: 'Seconds long, every transport, a few hundred clients: the default of a bare `rtbench run`.',
    transports: ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'],
    clients: 200,
    channels: 10,
    rate: 2,
    payloadBytes: 64,
    durationMs: 4000,
    rampPerSec: 2000,
    drainMs: 1500,
    pollIntervalMs: 1000,
  },
  talk: {
    name: 'talk',
    description: "The talk's comparison at its scale: 100,000 clients per transport, one update per second each.",
    transports: ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'],
    clients: 100_000,
    channels: 100,
    rate: 1,
    payloadBytes: 16,
    durationMs: 60_000,
    rampPerSec: 5000,
    drainMs: 3000,
    serverWorkers: 6,
    pollIntervalMs: 1000,
  },
  echo: {
    name: 'echo',
    kind: 'echo',
    description: 'Round trips through a server started with --echo: latency without a shared clock (ws).',
    transports: ['ws'],
    clients: 1000,
    channels: 10,
    rate: 1,
    echoRate: 1,
    payloadBytes: 0,
    durationMs: 10_000,
    rampPerSec: 2000,
    drainMs: 2000,
  },
  faults: {
    name: 'faults',
    kind: 'faults',
    description:
      'A steady broadcast on 3 server workers while faults are injected: a worker killed, connections reset, the publisher paused, a worker stopped. Clients reconnect and resume; nothing may be lost inside the history window.',
    transports: ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'],
    clients: 10_000,
    channels: 100,
    rate: 1,
    payloadBytes: 16,
    durationMs: 32_000,
    rampPerSec: 2000,
    drainMs: 5000,
    serverWorkers: 3,
    faults: [
      { at_s: 4, action: 'kill-worker' },
      { at_s: 12, action: 'drop-connections', share: 0.1 },
      { at_s: 19, action: 'pause-publisher', duration_s: 1 },
      { at_s: 25, action: 'stop-worker', duration_s: 1 },
    ],
    thresholds: ['lost==0', 'duplicated==0', 'reordered==0'],
  },
  capacity: {
    name: 'capacity',
    kind: 'capacity',
    description: 'For each transport, the most clients this machine serves at one update a second with p99 under the SLO.',
    transports: ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'],
    clients: 100_000,
    capacitySteps: [1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000],
    channels: 100,
    rate: 1,
    payloadBytes: 16,
    durationMs: 10_000,
    rampPerSec: 5000,
    drainMs: 2000,
    serverWorkers: 6,
    sloP99Ms: 1000,
  },
};

export const BUILTIN_SCENARIOS = Object.keys(BUILTIN);

/** A built-in name, or a path to a JSON scenario file. */
export async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const builtin = BUILTIN[nameOrPath];
  if (builtin) return parseScenario(builtin, nameOrPath);
  if (!nameOrPath.endsWith('.json')) {
    throw new ScenarioError(`unknown scenario "${nameOrPath}": use one of ${BUILTIN_SCENARIOS.join(', ')} or a .json file`);
  }
  let text: string;
  try {
    text = await readFile(nameOrPath, 'utf8');
  } catch (error) {
    throw new ScenarioError(`cannot read scenario file ${nameOrPath}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`scenario file ${nameOrPath} is not valid JSON: ${(error as Error).message}`);
  }
  return parseScenario(json, nameOrPath);
}
