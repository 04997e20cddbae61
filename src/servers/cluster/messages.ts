/** Messages between the cluster primary (the sequencer) and its workers. */
import type { BackplaneHealth } from '../backplane.js';
import type { Question } from '../server-control.js';
import type { DeliverBatch, PublishBatch } from './publish-batch.js';
import type { SnapshotChunk } from './snapshot.js';

export type ToPrimary =
  /** Asks for the history; the primary adds the worker to its fan-out in the same step. */
  | { type: 'rtb:hello' }
  | { type: 'rtb:publish'; id: number; batches: PublishBatch[] }
  | { type: 'rtb:metrics'; id: number }
  /** The worker's private port for forwarded Engine.IO requests (session-relay.ts). */
  | { type: 'rtb:relay'; port: number }
  /**
   * Sent with a client's socket: a WebSocket upgrade for a session that the
   * worker with relay port `to` owns. `head` is the request head as read
   * (latin1), `rest` what followed it (base64).
   */
  | ({ type: 'rtb:handoff'; to: number } & UpgradeHandoff)
  /** The worker wants the shared listening socket (at start, or to accept again). */
  | { type: 'rtb:listen-request' }
  /** Sent with this worker's listening handle: the primary keeps a copy so the socket outlives pauses. */
  | { type: 'rtb:anchor' }
  /** The worker listens and serves: it counts as started. */
  | { type: 'rtb:ready' }
  /** The worker stopped accepting at its connection budget (it closed its listening handle). */
  | { type: 'rtb:full'; connections: number }
  /** Cluster-wide questions a worker's HTTP route needs answered (healthz, /admin/drop). */
  | { type: 'rtb:ask'; id: number; question: Question }
  /** A worker's answer to the primary's `rtb:ask`. */
  | { type: 'rtb:answer'; id: number; answer: unknown };

/** An upgrade request whose socket moves to another process, and the bytes already read from it. */
export interface UpgradeHandoff {
  head: string;
  rest: string;
}

export type ToWorker =
  /** The server secret, the first answer to `rtb:hello`: it never travels in a worker's environment (issue 9, point 13). */
  | { type: 'rtb:secret'; secret?: string }
  | ({ type: 'rtb:restore' } & SnapshotChunk)
  | { type: 'rtb:deliver'; batches: DeliverBatch[] }
  /** `status` and `code`: the error is a RequestError to pass on as such (a backplane that did not take the publish). */
  | { type: 'rtb:published'; id: number; seqs?: number[]; error?: string; status?: number; code?: string }
  /** The backplane's health (`serve --redis`), on hello and on every change, for /healthz. */
  | { type: 'rtb:backplane'; health: BackplaneHealth }
  | { type: 'rtb:metrics'; id: number; text?: string; error?: string }
  | { type: 'rtb:shutdown' }
  /** Every live worker's relay port. */
  | { type: 'rtb:peers'; ports: number[] }
  /** Sent with a client's socket: adopt it as if it had just connected here. */
  | ({ type: 'rtb:handoff' } & UpgradeHandoff)
  /**
   * The answer to `rtb:listen-request` or a `rtb:full` that left no worker
   * accepting. With a handle: listen on it (`overflow`: keep accepting at
   * the budget and refuse what is over it, every other worker is full).
   * Without one: no socket exists yet, bind it through the cluster module.
   */
  | { type: 'rtb:listen'; overflow: boolean }
  /** Another worker accepts again: an overflowing worker may stop accepting. */
  | { type: 'rtb:overflow-end' }
  /** The primary's question, relayed from a worker's route. */
  | { type: 'rtb:ask'; id: number; question: Question }
  /** Every worker's answers (those that answered in time) to a worker's `rtb:ask`. */
  | { type: 'rtb:answers'; id: number; answers: unknown[] };

export function isRtbMessage(message: unknown): message is { type: string } {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith('rtb:')
  );
}

export const CONFIG_ENV = 'RTBENCH_SERVER_CONFIG';

/** The secret `rtbench serve` may read from its environment; workers get it over IPC instead (rtb:secret). */
export const SECRET_ENV = 'RTBENCH_SECRET';
