/**
 * Failures after a client opened reach the run result: a fleet of real load
 * clients against a real server that misbehaves once they are open. Their
 * open() promise has settled by then, so only the client's environment can
 * carry the error to the fleet's `errors` ("N x message" in the result).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FallbackClient } from '../../src/clients/fallback-client.js';
import type { ClientSettings } from '../../src/clients/load-client.js';
import type { TransportName } from '../../src/clients/registry.js';
import { Fleet } from '../../src/harness/fleet.js';
import { CLIENT_SETTINGS } from '../helpers/client-env.js';
import { waitUntil } from '../helpers/fallback-clients.js';
import { startInProcess, type RunningServer } from '../helpers/server.js';

/** Reconnects on, as the orchestrator runs its clients, with a short backoff: three attempts within ~70 ms. */
const SETTINGS: ClientSettings = { ...CLIENT_SETTINGS, reconnect: true, reconnectBaseMs: 10, reconnectMaxMs: 40, reconnectAttempts: 3 };

let stopServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopServer?.();
  stopServer = undefined;
});

async function openFleet(transport: TransportName, port: number, settings: Partial<ClientSettings> = {}): Promise<Fleet> {
  const fleet = new Fleet({
    transport,
    firstIndex: 0,
    count: 1,
    channels: ['news'],
    targets: [{ host: '127.0.0.1', port }],
    rampPerSec: 100,
    rampConcurrency: 1,
    settings: { ...SETTINGS, ...settings },
  });
  await fleet.ramp();
  expect(fleet.counters().open).toBe(1);
  return fleet;
}

/** Answers the first long poll with no news, the second with a 500, and holds every later one. */
async function longPollServerFailingOnce(): Promise<number> {
  let polls = 0;
  const server = http.createServer((_req, res) => {
    polls++;
    if (polls === 1) res.writeHead(200, { 'content-type': 'application/json' }).end('{"cursor":0,"messages":[]}');
    else if (polls === 2) res.writeHead(500).end('boom');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stopServer = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return (server.address() as AddressInfo).port;
}

async function rtbenchServer(): Promise<RunningServer> {
  const server = await startInProcess();
  let stopped = false;
  stopServer = async () => {
    if (!stopped) await server.stop();
    stopped = true;
  };
  return { ...server, stop: stopServer };
}

describe('failures after open reach the fleet errors', () => {
  it('a long poll answered 500 once the client is open: one error, one reconnect, the client open again', async () => {
    const port = await longPollServerFailingOnce();
    const fleet = await openFleet('long-poll', port);
    await waitUntil(() => fleet.counters().reconnects === 1 && fleet.counters().open === 1, 'the reconnect after the 500');

    const final = await fleet.finish({});
    expect(final.errors).toEqual(['1 x long poll answered 500: boom']);
    expect(final).toMatchObject({ open: 1, failed: 0, reconnects: 1 });
  });

  it.each<TransportName>(['ws', 'sse'])('%s: the server goes away and every reconnect attempt is refused', async (transport) => {
    const server = await rtbenchServer();
    const fleet = await openFleet(transport, server.port);
    await server.stop();
    await waitUntil(() => fleet.counters().failed === 1, 'the client to fail');

    const final = await fleet.finish({});
    // The two attempts before the last are counted by cause; the last one's cause ends the client.
    expect(final.errors).toEqual([
      `2 x reconnect attempt failed, retried: connect ECONNREFUSED 127.0.0.1:${server.port}`,
      `1 x reconnect failed after 3 attempts: connect ECONNREFUSED 127.0.0.1:${server.port}`,
    ]);
    expect(final).toMatchObject({ open: 0, failed: 1, reconnects: 1, reconnected: 1, dropped: 1 });
  });

  it.each<TransportName>(['ws', 'sse', 'long-poll'])(
    '%s without reconnects: the server closing the connection fails the client',
    async (transport) => {
      const server = await rtbenchServer();
      const fleet = await openFleet(transport, server.port, { reconnect: false });
      await server.stop();
      await waitUntil(() => fleet.counters().failed === 1, 'the client to fail');

      const final = await fleet.finish({});
      expect(final.errors).toEqual(['1 x connection closed by the server']);
      expect(final).toMatchObject({ open: 0, failed: 1, reconnects: 0 });
    },
  );

  it('fallback: the server ending the session starts new sessions until the attempts run out', async () => {
    const server = await rtbenchServer();
    const fleet = await openFleet('fallback', server.port);
    const client = fleet.clients[0] as FallbackClient;
    await waitUntil(() => client.transport === 'websocket', 'the upgrade');
    await server.stop();
    await waitUntil(() => fleet.counters().failed === 1, 'the client to fail');

    const final = await fleet.finish({});
    // The two attempts before the last are counted by cause; the last one's cause ends the client.
    expect(final.errors).toEqual([
      `2 x reconnect attempt failed, retried: connect ECONNREFUSED 127.0.0.1:${server.port}`,
      `1 x reconnect failed after 3 attempts: connect ECONNREFUSED 127.0.0.1:${server.port}`,
    ]);
    expect(final).toMatchObject({ open: 0, failed: 1, reconnects: 1 });
  });
});
