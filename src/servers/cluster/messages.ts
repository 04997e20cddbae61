/** Messages between the cluster primary (the sequencer) and its workers. */
import type { Envelope, PublishInput } from '../hub.js';

export type ToPrimary =
  | { type: 'rtb:hello' }
  | { type: 'rtb:publish'; id: number; inputs: PublishInput[] }
  | { type: 'rtb:metrics'; id: number }
  /** The worker's private port for forwarded Engine.IO requests (session-relay.ts). */
  | { type: 'rtb:relay'; port: number }
  /**
   * Sent with a client's socket: a WebSocket upgrade for a session that the
   * worker with relay port `to` owns. `head` is the request head as read
   * (latin1), `rest` what followed it (base64).
   */
  | ({ type: 'rtb:handoff'; to: number } & UpgradeHandoff);

/** An upgrade request whose socket moves to another process, and the bytes already read from it. */
export interface UpgradeHandoff {
  head: string;
  rest: string;
}

export type ToWorker =
  /** The server secret, the first answer to `rtb:hello`: it never travels in a worker's environment. */
  | { type: 'rtb:secret'; secret?: string }
  | { type: 'rtb:restore'; messages: Envelope[] }
  | { type: 'rtb:deliver'; messages: Envelope[] }
  | { type: 'rtb:published'; id: number; seqs?: number[]; error?: string }
  | { type: 'rtb:metrics'; id: number; text?: string; error?: string }
  | { type: 'rtb:shutdown' }
  /** Every live worker's relay port. */
  | { type: 'rtb:peers'; ports: number[] }
  /** Sent with a client's socket: adopt it as if it had just connected here. */
  | ({ type: 'rtb:handoff' } & UpgradeHandoff);

export function isRtbMessage(message: unknown): message is { type: string } {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith('rtb:')
  );
}

export const CONFIG_ENV = 'RTBENCH_SERVER_CONFIG';

/** The secret `rtbench serve` may read from its environment; workers get it over IPC instead. */
export const SECRET_ENV = 'RTBENCH_SECRET';
