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

/** Resolves with the upgrade connection and its probe frame once the probe arrived (held back, not forwarded). */
function holdProbe(setup: Rig): Promise<{ connection: ProxiedConnection; probe: Buffer }> {
  return new Promise((resolve) => {
    setup.proxy.onClientData = (connection, chunk) => {
      const upgrade = connection.first?.includes('transport=websocket') === true;
      if (!upgrade || connection.chunks < 2) return true;
      setup.proxy.onClientData = undefined;
      resolve({ connection, probe: chunk });
      return false;
    };
  });
}

interface HeldAnswers {
  held: Buffer[];
  release(): void;
}

/**
 * Holds back what the server sends on the client's connections whose first
 * request contains `marker` (and is a GET), until `release()`.
 */
function holdServerData(setup: Rig, marker: string): HeldAnswers {
  const held: Buffer[] = [];
  const connections = new Set<ProxiedConnection>();
  let holding = true;
  const previous = setup.proxy.onServerData;
  setup.proxy.onServerData = (connection, chunk) => {
    const first = connection.first?.toString() ?? '';
    if (!(holding && first.startsWith('GET ') && first.includes(marker))) return previous?.(connection, chunk) ?? true;
    connections.add(connection);
    held.push(chunk);
    return false;
  };
  return {
    held,
    release() {
      holding = false;
      const [connection] = connections;
      for (const chunk of held.splice(0)) connection?.client.write(chunk);
    },
  };
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
    setup.proxy.reset((await probe).connection);
    const head = await setup.publish(4);
    await waitUntil(() => client.tracker.last === head, 'the updates over polling');
    expect([client.state, client.transport, client.reconnectCount]).toEqual(['open', 'polling', 0]);
    const { unique, duplicated } = client.tracker;
    expect([unique, duplicated]).toEqual([4, 0]);
  });

  it('updates on the poll that the probe released are read before `5`: in order, never behind newer ones on the WebSocket', async () => {
    // engine.io-client pauses polling before it upgrades: the GET in flight
    // is answered (the server releases it on the probe) and read first. Had
    // `5` gone out at once, seq 2 would come over the WebSocket before seq 1
    // was read from the poll (reordered), or seq 1 never (lost, behind the
    // cursor) if the session ended before the poll answer was read.
    const setup = await rig({ name: 'fallback', transport: 'fallback' });
    const client = setup.client as FallbackClient;
    const upgradeAnswer = holdServerData(setup, 'transport=websocket');
    await client.open();
    await waitUntil(() => upgradeAnswer.held.length > 0, 'the 101 (held back: no probe yet)');
    await sleep(100); // the client polls again: a GET is in flight, held by the server
    const pollAnswer = holdServerData(setup, 'transport=polling');
    await setup.publish(1);
    await waitUntil(() => pollAnswer.held.length > 0, 'the poll answer with seq 1 (held back)');
    upgradeAnswer.release();
    await sleep(150); // 2probe, 3probe: the client could send `5` now
    const head = await setup.publish(1);
    await sleep(150);
    pollAnswer.release();
    await waitUntil(() => client.tracker.last === head && client.transport === 'websocket', 'both updates, upgraded');
    const { unique, duplicated, reordered } = client.tracker;
    expect({ unique, duplicated, reordered, lost: client.tracker.lost(head) }).toEqual({ unique: 2, duplicated: 0, reordered: 0, lost: 0 });
  });
});
