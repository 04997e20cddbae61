/**
 * The primary relaying a worker's question to every other worker and
 * gathering their answers: /healthz (each worker's pid and connections) and
 * /admin/drop reach one worker but are about all of them. A worker that does
 * not answer in time (stopped, busy, dying) is left out of the answers.
 */
import type { Worker } from 'node:cluster';
import type { Question } from '../server-control.js';
import type { ToWorker } from './messages.js';

export const ANSWER_TIMEOUT_MS = 1000;

interface Round {
  waiting: Set<Worker>;
  answers: Map<Worker, unknown>;
  finish: () => void;
}

export class Gatherer {
  #nextId = 1;
  readonly #rounds = new Map<number, Round>();

  constructor(
    private readonly send: (worker: Worker, message: ToWorker) => void,
    private readonly timeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /** Asks `workers`; resolves with the answers that came in time, by worker. */
  ask(workers: Worker[], question: Question): Promise<Map<Worker, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const round: Round = {
        waiting: new Set(workers),
        answers: new Map(),
        finish: () => {
          clearTimeout(timer);
          this.#rounds.delete(id);
          resolve(round.answers);
        },
      };
      const timer = setTimeout(round.finish, this.timeoutMs);
      this.#rounds.set(id, round);
      for (const worker of workers) this.send(worker, { type: 'rtb:ask', id, question });
      if (round.waiting.size === 0) round.finish();
    });
  }

  answer(worker: Worker, id: number, answer: unknown): void {
    const round = this.#rounds.get(id);
    if (!round?.waiting.delete(worker)) return;
    round.answers.set(worker, answer);
    if (round.waiting.size === 0) round.finish();
  }

  /** A worker is gone: no round waits for it any more. */
  exited(worker: Worker): void {
    for (const round of [...this.#rounds.values()]) {
      if (round.waiting.delete(worker) && round.waiting.size === 0) round.finish();
    }
  }
}
