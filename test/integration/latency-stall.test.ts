/**
 * No coordinated omission: the server is stopped (SIGSTOP) for a second while
 * the open-model publisher keeps its schedule. Every update due during the
 * stall carries its due time as `ts`, so the stall must appear in the latency
 * percentiles, not only in one slow request.
 */
import { afterEach, expect, it } from 'vitest';
import { WsClient } from '../../src/clients/ws-client.js';
import { Publisher } from '../../src/harness/publisher.js';
import { summarize } from '../../src/metrics/latency.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { startCli, type RunningServer } from '../helpers/server.js';

let server: (RunningServer & { child: import('node:child_process').ChildProcess }) | undefined;
afterEach(async () => {
  if (server?.child.pid) process.kill(server.child.pid, 'SIGCONT');
  await server?.stop();
  server = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a 1 s server stall shows in p90/p99/max of the delivery latency', async () => {
  server = await startCli([]);
  const env = clientEnvironment();
  const clients = Array.from({ length: 10 }, () => new WsClient(env, { host: '127.0.0.1', port: server!.port }, 'stall'));
  await Promise.all(clients.map((client) => client.open()));

  const publisher = new Publisher({ baseUrl: server.url, channels: ['stall'], rate: 50, payloadBytes: 8 });
  publisher.start();
  await sleep(1000);
  process.kill(server.child.pid!, 'SIGSTOP');
  await sleep(1000);
  process.kill(server.child.pid!, 'SIGCONT');
  await sleep(1000);
  await publisher.stop();
  await sleep(500);
  for (const client of clients) client.close();

  const latency = summarize(env.deliveries.latency.histogram);
  // ~150 updates due, ~50 of them during the stall: each of those waited
  // from its due time until the server woke up (1000 ms down to 0).
  expect(publisher.accepted).toBeGreaterThanOrEqual(140);
  expect(env.deliveries.delivered).toBe(publisher.accepted * 10);
  expect(latency.max).toBeGreaterThan(900_000);
  expect(latency.p90).toBeGreaterThan(300_000);
  expect(latency.p50).toBeLessThan(latency.p90);
});
