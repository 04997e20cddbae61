/**
 * A worker's requests to the cluster primary, each answered by id: publishes
 * (the primary assigns the seqs), the aggregated /metrics text, and
 * questions for every other worker (their status, /admin/drop).
 */
import type { Socket } from 'node:net';
import { epochMs } from '../../metrics/clock.js';
import type { ConnectionGate } from '../connection-gate.js';
import { CLOSE, RequestError } from '../errors.js';
import type { PublishInput } from '../hub.js';
import type { PublishBus } from '../publish.js';
import { answer, type Question, type ServerControl, type WorkerStatus } from '../server-control.js';
import type { ToPrimary } from './messages.js';
import { packInputs } from './publish-batch.js';

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void };

export class PrimaryLink implements PublishBus, ServerControl {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** The connections this worker admits; set once the app exists. */
  gate: ConnectionGate | undefined;

  constructor(readonly send: (message: ToPrimary, handle?: unknown, callback?: (error: Error | null) => void) => void) {}

  publish(inputs: PublishInput[]): Promise<number[]> {
    let batches: ReturnType<typeof packInputs>;
    try {
      batches = packInputs(inputs, epochMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request<number[]>((id) => ({ type: 'rtb:publish', id, batches }));
  }

  metrics(): Promise<string> {
    return this.#request<string>((id) => ({ type: 'rtb:metrics', id }));
  }

  async workers(): Promise<WorkerStatus[]> {
    const own = answer(this.#gate(), { kind: 'status' }) as WorkerStatus;
    const others = (await this.#ask({ kind: 'status' })) as WorkerStatus[];
    return [own, ...others];
  }

  async drop(share: number, keep: Socket): Promise<number> {
    const own = answer(this.#gate(), { kind: 'drop', share }, keep) as number;
    const others = (await this.#ask({ kind: 'drop', share })) as number[];
    return others.reduce((sum, dropped) => sum + dropped, own);
  }

  /** The primary's answer to request `id`. */
  settle(id: number, value: unknown, error: string | undefined, status?: number, code?: string): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (error !== undefined && status !== undefined) pending.reject(new RequestError(error, status, CLOSE.internalError, code));
    else if (error !== undefined) pending.reject(new Error(error));
    else pending.resolve(value as never);
  }

  /** The primary relays another worker's question: this worker's answer. */
  answerFor(question: Question): unknown {
    return answer(this.#gate(), question);
  }

  #ask(question: Question): Promise<unknown[]> {
    return this.#request<unknown[]>((id) => ({ type: 'rtb:ask', id, question }));
  }

  #gate(): ConnectionGate {
    if (!this.gate) throw new Error('the worker has no app yet');
    return this.gate;
  }

  #request<T>(build: (id: number) => ToPrimary): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.send(build(id));
    });
  }
}
