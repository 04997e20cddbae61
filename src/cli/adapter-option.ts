/**
 * `rtbench run --adapter FILE` (or a scenario's `adapter` field): the
 * adapter is loaded and checked before anything runs, needs a --target, and
 * decides the default transports (those it has a section for). A transport
 * asked for that the adapter cannot drive is a usage error naming it.
 */
import path from 'node:path';
import { AdapterError, adapterTransports, type LoadedAdapter, loadAdapter } from '../adapter/load.js';
import type { TransportName } from '../clients/registry.js';
import type { Scenario } from '../scenarios/schema.js';

const SECTION: Record<string, string> = {
  'short-poll': 'poll',
  'long-poll': 'longPoll',
  sse: 'sse',
  fallback: 'socketio',
  ws: 'ws',
};

/**
 * The loaded adapter and the scenario with its transports settled; a string says what is wrong.
 * `scenarioFile`: where a scenario file's relative `adapter` path is taken from.
 */
export async function resolveAdapter(
  scenario: Scenario,
  options: { adapter?: string; target?: string; transports?: TransportName[]; agents?: number },
  scenarioFile: string | undefined,
): Promise<{ loaded: LoadedAdapter; scenario: Scenario } | string | undefined> {
  const file =
    options.adapter ?? (scenario.adapter && scenarioFile ? path.resolve(path.dirname(scenarioFile), scenario.adapter) : scenario.adapter);
  if (!file) return undefined;
  if (!options.target) return `option '--adapter' needs '--target <url>': an adapter drives a server someone else runs`;
  if (options.agents) return `option '--adapter' works with local client processes only, not with '--agents'`;
  let loaded: LoadedAdapter;
  try {
    loaded = await loadAdapter(file);
  } catch (error) {
    if (error instanceof AdapterError) return error.message;
    throw error;
  }
  const offered = adapterTransports(loaded.adapter);
  let transports: TransportName[];
  if (options.transports) {
    const missing = options.transports.filter((t) => !(offered as string[]).includes(t));
    if (missing.length > 0) {
      return `option '--transports': adapter ${loaded.name} has no ${missing.map((t) => `${SECTION[t] ?? t} section (for ${t})`).join(', ')}`;
    }
    transports = options.transports;
  } else {
    transports = scenario.transports.filter((t) => (offered as string[]).includes(t));
    if (transports.length === 0) transports = offered;
  }
  return { loaded, scenario: { ...scenario, transports, adapter: file } };
}
