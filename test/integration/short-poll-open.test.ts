/**
 * A short-poll client's connection opens with its first poll, which goes out
 * at a random phase of the interval. A connection opened earlier and left
 * idle until then would meet the server's header timeout (408) whenever the
 * phase is longer than it: at the default 10 s, any --poll-interval above
 * 10 s would fail a share of the clients at open.
 */
import { afterEach, expect, it } from 'vitest';
import { ShortPollClient } from '../../src/clients/short-poll-client.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { waitUntil } from '../helpers/fallback-clients.js';
import { startInProcess, type RunningServer } from '../helpers/server.js';

let server: RunningServer | undefined;
const clients: ShortPollClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
});

it('a first poll later than the header timeout still opens (the socket is not left idle before it)', async () => {
  server = await startInProcess({ headerTimeoutMs: 200 });
  const env = clientEnvironment({ pollIntervalMs: 1200 });
  for (let i = 0; i < 10; i++) clients.push(new ShortPollClient(env, { host: '127.0.0.1', port: server.port }, 'news'));
  // Ten phases in [0, 1200) ms: all under 200 ms is a chance of 1 in 60 million.
  const opened = await Promise.allSettled(clients.map((client) => client.open()));
  expect(opened.map((result) => result.status)).toEqual(Array(10).fill('fulfilled'));
  await waitUntil(() => clients.every((client) => client.polls >= 2), 'a second poll each');
  expect(clients.map((client) => client.state)).toEqual(Array(10).fill('open'));
});
