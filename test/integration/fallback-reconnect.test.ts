/**
 * The fallback client between the upgrade's probe and its `5`: the session
 * is then on neither transport (polls stopped, WebSocket not yet the
 * session), so a failure there must not leave it silently "open". The proxy
 * holds back the client's `2probe` frame (the second chunk on the
 * `transport=websocket` connection) and then fails what the test says.
 */
import { describe, expect, it } from 'vitest';
import type { FallbackClient } from '../../src/clients/fallback-client.js';
import { sleep, waitUntil } from '../helpers/fallback-clients.js';
import { type Rig, useRigs } from '../helpers/reconnect-rig.js';
import type { ProxiedConnection } from '../helpers/tcp-proxy.js';

const rig = useRigs();

/** Resolves with the upgrade connection once its probe arrived (held back, not forwarded). */
function holdProbe(setup: Rig): Promise<ProxiedConnection> {
  return new Promise((resolve) => {
    setup.proxy.onClientData = (connection) => {
      const upgrade = connection.first?.includes('transport=websocket') === true;
      if (!upgrade || connection.chunks < 2) return true;
      setup.proxy.onClientData = undefined;
      resolve(connection);
      return false;
    };
  });
}

describe('fallback: failures between the probe and the upgrade', () => {
  it('the server goes away: the client notices, starts a new session when it is back, and resumes from its cursor', async () => {
    const setup = await rig({ name: 'fallback', transport: 'fallback' });
    const client = setup.client as FallbackClient;
    const probe = holdProbe(setup);
    await client.open();
    let head = await setup.publish(3);
    await probe;
    await setup.proxy.cut();
    await waitUntil(() => client.state === 'reconnecting', 'the lost session to be noticed');
    head = await setup.publish(3);
    await setup.proxy.restore();
    await waitUntil(() => client.state === 'open' && client.transport === 'websocket', 'a new session, upgraded');
    head = await setup.publish(3);
    await waitUntil(() => client.tracker.last === head, 'every update');
    await sleep(50);
    const { unique, duplicated, reordered } = client.tracker;
    expect({ unique, duplicated, reordered, lost: client.tracker.lost(head) }).toEqual({ unique: 9, duplicated: 0, reordered: 0, lost: 0 });
    expect([client.reconnectCount, setup.reconnects()]).toEqual([1, 1]);
  });

  it('only the upgrade connection fails: the session goes back to polling and loses nothing', async () => {
    const setup = await rig({ name: 'fallback', transport: 'fallback' });
    const client = setup.client as FallbackClient;
    const probe = holdProbe(setup);
    await client.open();
    setup.proxy.reset(await probe);
    const head = await setup.publish(4);
    await waitUntil(() => client.tracker.last === head, 'the updates over polling');
    expect([client.state, client.transport, client.reconnectCount]).toEqual(['open', 'polling', 0]);
    const { unique, duplicated } = client.tracker;
    expect([unique, duplicated]).toEqual([4, 0]);
  });
});
