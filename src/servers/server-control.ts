/**
 * What the server says and does about its processes as a whole: every
 * worker's pid and connections (`GET /healthz`) and `POST /admin/drop`.
 * One process answers for itself; a cluster worker asks the others through
 * the primary (cluster/worker-link.ts).
 */
import type { Socket } from 'node:net';
import type { ConnectionGate } from './connection-gate.js';

/**
 * What one server process says of itself: /healthz lists every worker's. A
 * worker that did not answer within a second (stopped, busy) is listed as
 * `{"pid":P,"responding":false}`.
 */
export type WorkerStatus = AnsweredStatus | { pid: number; responding: false };

export interface AnsweredStatus {
  pid: number;
  responding: true;
  /** Client connections open on this process (every transport). */
  connections: number;
  /** False while the process is at --max-connections and has stopped accepting. */
  accepting: boolean;
  /** Connections refused for lack of room since start. */
  refused: number;
}

/** A question every worker answers for itself. */
export type Question = { kind: 'status' } | { kind: 'drop'; share: number };

export interface ServerControl {
  /** Every server process, this one first. */
  workers(): Promise<WorkerStatus[]>;
  /** Resets `share` (0-1) of every process's client connections except `keep`; resolves with how many. */
  drop(share: number, keep: Socket): Promise<number>;
}

export function statusOf(gate: ConnectionGate): AnsweredStatus {
  return { pid: process.pid, responding: true, connections: gate.open, accepting: gate.accepting, refused: gate.refusedTotal };
}

/** This process's own answer to a question (`keep`: the connection that asked, never dropped). */
export function answer(gate: ConnectionGate, question: Question, keep?: Socket): AnsweredStatus | number {
  return question.kind === 'status' ? statusOf(gate) : gate.drop(question.share, keep);
}

/** The control of a server that is one process. */
export function localControl(gate: ConnectionGate): ServerControl {
  return {
    workers: async () => [statusOf(gate)],
    drop: async (share, keep) => gate.drop(share, keep),
  };
}
