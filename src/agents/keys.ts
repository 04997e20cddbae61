/**
 * Where runs and agents meet on the coordinator, all under `rtbench:`. A run
 * pushes one invitation per agent it wants onto a list that idle agents pop;
 * an agent that takes one answers on the run's stream, and the run speaks to
 * each agent on a stream of its own. The run keeps a key alive while it lasts,
 * so an invitation left by a run that is gone is recognised and dropped.
 */
const PREFIX = 'rtbench';

/** The list of invitations idle agents wait on (BLPOP). */
export const INVITATIONS = `${PREFIX}:agents:invitations`;

/** Exists while the run is alive (refreshed with a PX expiry). */
export const runKey = (run: string): string => `${PREFIX}:run:${run}`;

/** Every agent's messages to the run, in one stream. */
export const upStream = (run: string): string => `${PREFIX}:run:${run}:up`;

/** The run's messages to one agent. */
export const downStream = (run: string, agent: string): string => `${PREFIX}:run:${run}:to:${agent}`;

/** Every stream expires this long after its last message: a run killed before its cleanup leaves nothing for ever. */
export const KEY_TTL_S = 3600;
