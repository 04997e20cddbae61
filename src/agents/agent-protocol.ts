/**
 * Messages between a run and its load agents, carried as stream entries on
 * the coordinator (keys.ts). An agent runs client processes for the run; what
 * the run says to each of them and what they answer are the fleet protocol's
 * own messages (harness/fleet-protocol.ts), passed through unchanged and
 * tagged with the process they are for. `generation` counts the transports of
 * a run, so a late word from an earlier transport's process is recognised.
 */
import type { FromFleet, ToFleet } from '../harness/fleet-protocol.js';

/** What an idle agent pops from the invitation list. */
export interface Invitation {
  run: string;
  /** The agent sends `alive` this often; the run gives it up after `timeoutMs` of silence. */
  heartbeatMs: number;
  timeoutMs: number;
}

export type ToAgent =
  /** Fork this many client processes for the next transport. */
  | { type: 'spawn'; generation: number; processes: number }
  | { type: 'fleet'; generation: number; process: number; message: ToFleet }
  /** End this client process now (SIGKILL). */
  | { type: 'kill'; generation: number; process: number }
  /** The run is over: stop every client process and go back to waiting for work. */
  | { type: 'release' };

export interface AgentHello {
  name: string;
  host: string;
  /** The addresses its clients connect from (--source-address); empty: the kernel's choice. */
  sourceAddresses: string[];
}

export type FromAgent = { agent: string } & (
  | ({ type: 'hello' } & AgentHello)
  | { type: 'alive' }
  | { type: 'spawned'; generation: number; pids: number[] }
  | { type: 'fleet'; generation: number; process: number; message: FromFleet }
  /** The client process ended (after its last message); `how`: its exit code or signal. */
  | { type: 'exit'; generation: number; process: number; how: string }
);
