/**
 * The load clients lose their connection and come back as real clients do:
 * after a jittered exponential backoff, resuming from their cursor (polls by
 * `cursor=`, SSE by `Last-Event-ID`, /ws by a subscribe with a cursor, the
 * fallback by a new Engine.IO session that subscribes with one). A TCP proxy
 * between client and server takes the server away (every connection reset,
 * the port refusing) while the real server, and its history, stays up.
 */
import { describe, expect, it } from 'vitest';
import type { LoadClient } from '../../src/clients/load-client.js';
import { sleep, waitUntil } from '../helpers/fallback-clients.js';
import { type ClientCase, useRigs } from '../helpers/reconnect-rig.js';

const CASES: ClientCase[] = [
  { name: 'short-poll', transport: 'short-poll' },
  { name: 'long-poll', transport: 'long-poll' },
  { name: 'sse', transport: 'sse' },
  { name: 'ws', transport: 'ws' },
  { name: 'fallback (upgraded to WebSocket)', transport: 'fallback' },
  { name: 'fallback (polling only)', transport: 'fallback', settings: { pollingOnly: true } },
];

const rig = useRigs();

/** The client's tracker: everything up to `head` exactly once and in order. */
function expectComplete(client: LoadClient, head: number): void {
  const { unique, duplicated, reordered, gaps, last } = client.tracker;
  expect({ unique, duplicated, reordered, gaps, last, lost: client.tracker.lost(head) }).toEqual({
    unique: head,
    duplicated: 0,
    reordered: 0,
    gaps: 0,
    last: head,
    lost: 0,
  });
}

describe.each(CASES)('$name', (testCase) => {
  it('two outages: reconnects after refused attempts and resumes from its cursor, nothing lost, duplicated or reordered', async () => {
    const setup = await rig(testCase);
    const { client, proxy } = setup;
    await setup.open();
    let head = await setup.publish(5);
    await waitUntil(() => client.tracker.last === head, 'the first updates');

    for (let outage = 1; outage <= 2; outage++) {
      await proxy.cut();
      await waitUntil(() => client.state === 'reconnecting', 'the loss to be noticed');
      expect(client.reconnectCount).toBe(outage);
      head = await setup.publish(3);
      // At least two attempts refused while the server is away.
      const before = setup.sockets();
      await waitUntil(() => setup.sockets() >= before + 2, 'two refused attempts');
      expect(client.state).toBe('reconnecting');
      head = await setup.publish(2);
      await proxy.restore();
      head = await setup.publish(3);
      await waitUntil(() => client.state === 'open' && client.tracker.last === head, `the resume after outage ${outage}`);
      await setup.upgraded();
    }

    head = await setup.publish(2);
    await waitUntil(() => client.tracker.last === head, 'the last updates');
    await sleep(50); // anything duplicated would be on its way by now
    expectComplete(client, head);
    // Once per loss, however many attempts each took.
    expect([client.reconnectCount, setup.reconnects()]).toEqual([2, 2]);
    // The losses, and each refused attempt by its cause (the attempts before a client gives up are counted).
    const refused = setup.errors.filter((error) => error.startsWith('reconnect attempt failed, retried: '));
    expect(refused.length).toBeGreaterThanOrEqual(4);
    for (const error of refused) expect(error).toMatch(/^reconnect attempt failed, retried: connect ECONNREFUSED /);
    for (const error of setup.errors.filter((e) => !refused.includes(e))) expect(error).toMatch(/^(read ECONNRESET|write EPIPE)$/);
  });

  it('a cursor older than the history: the server signals a gap, counted as gap updates, none lost', async () => {
    const setup = await rig(testCase, {}, { historySize: 3 });
    const { client, proxy } = setup;
    await setup.open();
    let head = await setup.publish(2);
    await waitUntil(() => client.tracker.last === head, 'the first updates');
    await proxy.cut();
    await waitUntil(() => client.state === 'reconnecting', 'the loss to be noticed');
    head = await setup.publish(10); // seqs 3..12; the history keeps 10..12
    await proxy.restore();
    await waitUntil(() => client.state === 'open' && client.tracker.last === head, 'the resume');
    await sleep(50);
    const { unique, duplicated, reordered, gaps, gapUpdates } = client.tracker;
    expect({ unique, duplicated, reordered, gaps, gapUpdates, lost: client.tracker.lost(head) }).toEqual({
      unique: 5,
      duplicated: 0,
      reordered: 0,
      gaps: 1,
      gapUpdates: 7,
      lost: 0,
    });
  });

  it('against a server that stays away: exactly the configured attempts, spread by the backoff, then failed', async () => {
    const setup = await rig(testCase, { reconnectBaseMs: 10, reconnectMaxMs: 40, reconnectAttempts: 10 });
    const { client, proxy } = setup;
    await setup.open();
    await proxy.cut();
    const cutAt = performance.now();
    const before = setup.sockets();
    await waitUntil(() => client.state === 'failed', 'the client to give up');
    const elapsed = performance.now() - cutAt;
    expect(setup.sockets() - before).toBe(10);
    // Ten waits of random(0, min(40, 10 * 2^n)) ms: under 20 ms in all is a chance below 1e-9.
    expect(elapsed).toBeGreaterThan(20);
    expect(setup.errors.at(-1)).toBe(`reconnect failed after 10 attempts: connect ECONNREFUSED 127.0.0.1:${proxy.port}`);
    expect(client.reconnectCount).toBe(1);
    await sleep(60); // longer than any backoff here
    expect(setup.sockets() - before).toBe(10);
  });

  // A long poll opens on connect and may then be held by the server for its whole timeout: a silent
  // server looks the same as a quiet channel, so there is no attempt to time out.
  it.skipIf(testCase.transport === 'long-poll')(
    'an attempt that is accepted and never answered times out, and the next one gets through',
    async () => {
      const setup = await rig(testCase, { reconnectAttemptTimeoutMs: 300 });
      const { client, proxy } = setup;
      await setup.open();
      const seq = await setup.publish(2);
      await waitUntil(() => client.tracker.last === seq, 'the first updates');
      // The server takes connections and swallows whatever is sent (a stopped or overloaded server).
      proxy.onClientData = () => false;
      await proxy.cut();
      const before = setup.sockets();
      await proxy.restore();
      // Nothing but the timeout can end an attempt now: a second attempt means the first timed out.
      await waitUntil(() => setup.sockets() - before >= 2, 'an attempt to time out and another to start');
      expect(client.state).toBe('reconnecting');
      proxy.onClientData = undefined;
      const last = await setup.publish(3);
      await waitUntil(() => client.state === 'open' && client.tracker.last === last, 'the client back, resumed', 10_000);
      expect(client.tracker).toMatchObject({ duplicated: 0, reordered: 0 });
      expect(client.tracker.lost(last)).toBe(0);
    },
  );

  it('against a server that accepts every connection and resets it 30 ms later: the backoff still runs out', async () => {
    const setup = await rig(testCase, { reconnectBaseMs: 10, reconnectMaxMs: 40, reconnectAttempts: 6 });
    const { client, proxy } = setup;
    await setup.open();
    proxy.mode = 'reset';
    proxy.resetAfterMs = 30;
    await proxy.cut();
    const before = proxy.accepted;
    await proxy.restore();
    await waitUntil(() => client.state === 'failed', 'the client to give up');
    expect(proxy.accepted - before).toBe(6);
    expect(setup.errors.at(-1)).toMatch(/^reconnect failed after 6 attempts: /);
    await sleep(60);
    expect(proxy.accepted - before).toBe(6);
  });

  it('close() while reconnecting cancels the attempt waiting', async () => {
    const setup = await rig(testCase, { reconnectBaseMs: 100, reconnectMaxMs: 100 });
    const { client, proxy } = setup;
    await setup.open();
    await proxy.cut();
    await waitUntil(() => client.state === 'reconnecting', 'the loss to be noticed');
    client.close();
    const after = setup.sockets();
    await proxy.restore();
    await sleep(150);
    expect(setup.sockets()).toBe(after);
    expect(client.state).toBe('closed');
  });
});
