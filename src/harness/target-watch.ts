/**
 * A server someone else runs (`--target`) cannot be watched as a process, so
 * it is asked: `GET /healthz` before the ramp (a target that does not answer
 * makes the run invalid at once, instead of a run of refused connections),
 * then once a second. One missed answer is an event; DOWN_AFTER in a row
 * mean the target is down, which cuts the run short.
 */
import net from 'node:net';
import { request } from 'undici';
import type { RunEvents } from './run-events.js';

const PROBE_TIMEOUT_MS = 2000;
const INTERVAL_MS = 1000;
/** Missed answers in a row after which the target counts as down. */
export const DOWN_AFTER = 3;

export async function probeHealth(baseUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  try {
    const response = await request(`${baseUrl}/healthz`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await response.body.dump();
    return response.statusCode === 200 ? undefined : `GET /healthz answered ${response.statusCode}`;
  } catch (error) {
    return `GET /healthz failed: ${(error as Error).message}`;
  }
}

/** What a probe of the target found wrong, or undefined when it answered. */
export type HealthProbe = (baseUrl: string) => Promise<string | undefined>;

/**
 * For an app driven through an adapter, which has no /healthz: `GET path` answered below 500,
 * or without a path a TCP connect that succeeds.
 */
export function appProbe(path: string | undefined): HealthProbe {
  if (path) {
    return async (baseUrl) => {
      try {
        const response = await request(`${baseUrl}${path}`, { headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS });
        await response.body.dump();
        return response.statusCode < 500 ? undefined : `GET ${path} answered ${response.statusCode}`;
      } catch (error) {
        return `GET ${path} failed: ${(error as Error).message}`;
      }
    };
  }
  return (baseUrl) =>
    new Promise((resolve) => {
      const url = new URL(baseUrl);
      const socket = net.connect(Number(url.port || 80), url.hostname);
      socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy(new Error('timed out')));
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', (error) => resolve(`TCP connect failed: ${error.message}`));
    });
}

export class TargetWatch {
  #timer: NodeJS.Timeout | undefined;
  #missed = 0;
  #down = false;
  #checking = false;

  constructor(
    private readonly baseUrl: string,
    private readonly transport: string,
    private readonly events: RunEvents,
    private readonly onDown: () => void,
    private readonly probe: HealthProbe = probeHealth,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#check(), INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    const problem = await this.probe(this.baseUrl);
    this.#checking = false;
    if (!problem) {
      if (this.#missed > 0)
        this.events.add('target-recovered', `the target answers again after ${this.#missed} missed checks`, this.transport);
      this.#missed = 0;
      return;
    }
    this.#missed++;
    if (this.#missed === 1) this.events.add('target-unhealthy', problem, this.transport);
    if (this.#missed === DOWN_AFTER && !this.#down) {
      this.#down = true;
      this.events.add('target-down', `no answer to ${DOWN_AFTER} health checks in a row (${problem})`, this.transport);
      this.onDown();
    }
  }
}
