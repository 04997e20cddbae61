/**
 * When a fault's injection waits on the server (its `/admin/drop` answered
 * late by workers busy with a reconnect storm), the fault is listed when it
 * was done, and its detail says when it was asked for: the resets happened
 * somewhere between the two. A real HTTP server on port 0 stands in for the
 * busy server's admin route.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetGroup } from '../../src/harness/fleet-process.js';
import { FaultSchedule } from '../../src/harness/faults.js';
import { RunEvents } from '../../src/harness/run-events.js';
import { waitUntil } from '../helpers/fallback-clients.js';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Answers POST /admin/drop with `{dropped: 7}` after `delayMs`. */
async function adminServer(delayMs: number): Promise<string> {
  server = http.createServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"dropped":7}'), delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function dropOnce(delayMs: number): Promise<string> {
  const fleets = { latest: () => ({ open: 5 }), latestAt: () => 0, intervalP99: () => 0 } as unknown as FleetGroup;
  const schedule = new FaultSchedule({
    faults: [{ at_s: 0, action: 'drop-connections', share: 0.1 }],
    transport: 'ws',
    baseUrl: await adminServer(delayMs),
    events: new RunEvents(),
    fleets,
    pausePublisher: () => {},
  });
  schedule.start();
  await waitUntil(() => schedule.injected.length === 1, 'the fault', 5000);
  schedule.stop();
  return schedule.injected[0]!.detail;
}

describe('fault injection time', () => {
  it('answered late: the detail says when it was asked for and how long it took', async () => {
    const detail = await dropOnce(1300);
    const timing = /^7 client connections reset by the server \(share 0\.1\) \(asked at (\d+\.\d) s, done (\d+\.\d) s later\)$/.exec(
      detail,
    );
    expect(timing, detail).not.toBeNull();
    expect(Number(timing![1])).toBeLessThan(1);
    expect(Number(timing![2])).toBeGreaterThanOrEqual(1.3);
  });

  it('answered at once: no timing in the detail', async () => {
    expect(await dropOnce(0)).toBe('7 client connections reset by the server (share 0.1)');
  });
});
