/**
 * A load client behind a TCP proxy in front of an in-process server, for the
 * reconnect tests: the proxy takes the server away (tcp-proxy.ts) while the
 * server and its history stay up, the client counts its reconnects, errors
 * and opened sockets (each connect attempt opens at least one), and the rig
 * publishes on the server directly. `useRigs()` registers the afterEach that
 * stops everything a test started.
 */
import type { Socket } from 'node:net';
import { afterEach } from 'vitest';
import type { FallbackClient } from '../../src/clients/fallback-client.js';
import type { ClientSettings, LoadClient } from '../../src/clients/load-client.js';
import { createClient, type TransportName } from '../../src/clients/registry.js';
import type { ServerConfig } from '../../src/servers/config.js';
import { clientEnvironment } from './client-env.js';
import { publishOne, waitUntil } from './fallback-clients.js';
import { startInProcess, type RunningServer } from './server.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';

/** Short backoff so an outage takes a few hundred ms; many attempts so none gives up unless a test says so. */
export const RECONNECTING: Partial<ClientSettings> = {
  reconnect: true,
  reconnectBaseMs: 20,
  reconnectMaxMs: 80,
  reconnectAttempts: 50,
  pollIntervalMs: 50,
};

export interface ClientCase {
  name: string;
  transport: TransportName;
  settings?: Partial<ClientSettings>;
}

export interface Rig {
  server: RunningServer;
  proxy: TcpProxy;
  client: LoadClient;
  /** Sockets the client has opened so far. */
  sockets(): number;
  /** onReconnect calls. */
  reconnects(): number;
  /** Errors the client reported after open. */
  errors: string[];
  /** Publishes `count` updates on channel `news`; resolves with the last seq. */
  publish(count: number): Promise<number>;
  /** Opens the client and, for the fallback unless polling only, waits for the upgrade. */
  open(): Promise<void>;
  /** Waits for the fallback's upgrade (nothing for the other clients). */
  upgraded(): Promise<void>;
}

export function useRigs(): (testCase: ClientCase, settings?: Partial<ClientSettings>, config?: Partial<ServerConfig>) => Promise<Rig> {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async (testCase, settings = {}, config = {}) => {
    const server = await startInProcess(config);
    cleanups.push(() => server.stop());
    const proxy = await startProxy(server.port);
    cleanups.push(() => proxy.stop());
    let reconnects = 0;
    const errors: string[] = [];
    const env = clientEnvironment(
      { ...RECONNECTING, ...testCase.settings, ...settings },
      { onReconnect: () => reconnects++, onError: (error) => errors.push(error.message) },
    );
    let sockets = 0;
    const attach = env.meter.attach.bind(env.meter);
    env.meter.attach = (socket: Socket) => {
      sockets++;
      attach(socket);
    };
    const client = createClient(testCase.transport, env, { host: '127.0.0.1', port: proxy.port }, 'news');
    cleanups.push(() => client.close());
    let head = 0;
    const upgraded = async () => {
      if (testCase.transport === 'fallback' && !testCase.settings?.pollingOnly) {
        await waitUntil(() => (client as FallbackClient).transport === 'websocket', 'the upgrade');
      }
    };
    return {
      server,
      proxy,
      client,
      sockets: () => sockets,
      reconnects: () => reconnects,
      errors,
      publish: async (count) => {
        for (let i = 0; i < count; i++) head = await publishOne(server.url, 'news', { i });
        return head;
      },
      open: async () => {
        await client.open();
        await upgraded();
      },
      upgraded,
    };
  };
}
