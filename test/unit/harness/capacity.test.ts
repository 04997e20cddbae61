/** The capacity search and the echo stand-in, without servers: steps judged from results a test writes. */
import { describe, expect, it } from 'vitest';
import { capacityStep, searchCapacity } from '../../../src/harness/capacity.js';
import { EchoSource } from '../../../src/harness/echo-source.js';
import type { TransportResult } from '../../../src/result/schema.js';

function step(clients: number, { p99Ms = 100, failed = 0, lost = 0, saturated = false } = {}): TransportResult {
  return {
    clients: { target: clients, open: clients - failed, failed },
    updates: { published: 10, expected: clients * 10, delivered: clients * 10 - lost, lost, duplicated: 0, reordered: 0 },
    bytes: { down: 0, up: 0, payload: 0, per_update: 0, overhead_per_update: 0 },
    latency_us: { p50: 1000, p90: 2000, p99: p99Ms * 1000, p999: p99Ms * 1000, max: p99Ms * 1000 },
    rate: { intended: clients, achieved: saturated ? clients / 2 : clients, saturated },
    processes: { server: { cpu_s: 0, rss_peak_mb: 0 }, clients: { cpu_s: 0, rss_peak_mb: 0 } },
  };
}

describe('capacity search', () => {
  it('stops at the first step over the SLO and answers the largest passing one', async () => {
    const tried: number[] = [];
    const p99 = new Map([
      [1000, 50],
      [2000, 400],
      [5000, 1500],
      [10_000, 200],
    ]); // prettier-ignore
    const { capacity, result } = await searchCapacity({
      steps: [1000, 2000, 5000, 10_000],
      sloP99Ms: 1000,
      cpus: 2,
      runStep: async (clients) => {
        tried.push(clients);
        return step(clients, { p99Ms: p99.get(clients)! });
      },
    });
    expect(tried).toEqual([1000, 2000, 5000]);
    expect(capacity).toMatchObject({ slo_p99_ms: 1000, max_clients: 2000, clients_per_core: 1000 });
    expect(capacity.steps.map((s) => s.pass)).toEqual([true, true, false]);
    expect(capacity.steps[2]!.reason).toBe('p99 1500 ms over 1000 ms');
    expect(result!.clients.target).toBe(2000);
  });

  it('names every reason a step failed', () => {
    const judged = capacityStep(500, step(500, { p99Ms: 2000, failed: 3, lost: 7, saturated: true }), 1000);
    expect(judged).toMatchObject({ clients: 500, open: 497, failed: 3, lost: 7, p99_ms: 2000, pass: false });
    expect(judged.reason).toBe('3 connections failed; 7 updates lost; p99 2000 ms over 1000 ms; schedule not kept (saturated)');
  });

  it('a first step that fails gives 0 clients and the failing result', async () => {
    const { capacity, result } = await searchCapacity({
      steps: [100, 200],
      sloP99Ms: 10,
      cpus: 2,
      runStep: async (n) => step(n, { p99Ms: 11 }),
    });
    expect(capacity.max_clients).toBe(0);
    expect(result!.clients.target).toBe(100);
  });

  it('an aborted search tries no further step', async () => {
    let stopped = false;
    const { capacity } = await searchCapacity({
      steps: [1, 2, 3],
      sloP99Ms: 1000,
      cpus: 1,
      runStep: async (n) => {
        stopped = true;
        return step(n);
      },
      stopped: () => stopped,
    });
    expect(capacity.steps.map((s) => s.clients)).toEqual([1]);
  });
});

describe('echo stand-in for the publisher', () => {
  it('publishes nothing and tells the clients to stop echoing when stopped', async () => {
    let quiesced = 0;
    const source = new EchoSource(() => quiesced++);
    source.start();
    expect(quiesced).toBe(0);
    await source.stop();
    expect(quiesced).toBe(1);
    expect(source.accepted).toBe(0);
    expect(source.heads).toEqual({});
  });
});
