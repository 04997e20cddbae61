/**
 * How a fleet settles its books against the publisher's heads, with real
 * ws clients on a real server: a publish the server applied after the
 * publisher gave up on its answer (and retried it) is a seq beyond the
 * acknowledged head; its subscribers got it and are owed it, so it counts
 * as expected, not as an extra delivery. A publish never acknowledged and
 * never applied still counts as lost for every subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../src/harness/fleet.js';
import { CLIENT_SETTINGS } from '../helpers/client-env.js';
import { waitUntil } from '../helpers/fallback-clients.js';
import { type RunningServer, startInProcess } from '../helpers/server.js';
import { publishMany } from '../helpers/subscribers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startInProcess();
});
afterAll(async () => {
  await server.stop();
});

/** Three ws clients on `channel`, each with the channel's three updates. */
async function fleetWithThreeUpdates(channel: string): Promise<Fleet> {
  const fleet = new Fleet({
    transport: 'ws',
    firstIndex: 0,
    count: 3,
    channels: [channel],
    targets: [{ host: '127.0.0.1', port: server.port }],
    rampPerSec: 100,
    rampConcurrency: 3,
    settings: CLIENT_SETTINGS,
  });
  await fleet.ramp();
  expect(fleet.counters().open).toBe(3);
  await publishMany(server.url, channel, 3);
  await waitUntil(() => fleet.counters().delivered === 9, 'nine deliveries');
  return fleet;
}

describe('fleet books against the publisher heads', () => {
  it('a seq beyond the acknowledged head that the subscribers got is expected, not extra', async () => {
    const fleet = await fleetWithThreeUpdates('late-applied');
    // The publisher saw seq 2 acknowledged last: seq 3 was applied after it retried.
    const final = await fleet.finish({ 'late-applied': 2 });
    expect(final).toMatchObject({ delivered: 9, expected: 9, lost: 0, duplicated: 0, reordered: 0 });
  });

  it('the drain check counts what the clients are still owed, seqs beyond the head included', async () => {
    const fleet = await fleetWithThreeUpdates('drain-check');
    expect(fleet.missing({ heads: { 'drain-check': 3 }, unacknowledged: {} })).toBe(0);
    // Acknowledged up to 2, seq 3 got: nothing is missing (a count of deliveries against heads would say 9 of 6).
    expect(fleet.missing({ heads: { 'drain-check': 2 }, unacknowledged: {} })).toBe(0);
    // One more acknowledged, not yet delivered: each of the three is owed it.
    expect(fleet.missing({ heads: { 'drain-check': 4 }, unacknowledged: {} })).toBe(3);
    await fleet.finish({ 'drain-check': 3 });
  });

  it('a publish never acknowledged nor applied is lost for every subscriber', async () => {
    const fleet = await fleetWithThreeUpdates('never-applied');
    const final = await fleet.finish({ 'never-applied': 3 }, { 'never-applied': 1 });
    expect(final).toMatchObject({ delivered: 9, expected: 12, lost: 3 });
  });
});
