/**
 * A load agent's --source-address: every load client, over each way it
 * connects (raw WebSocket, the HTTP connection of polls and SSE, the
 * fallback's sockets, HTTP/2), connects from the target's `localAddress`
 * when it has one. A proxy in front of the server records the peer address
 * of every connection it accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type TransportName } from '../../src/clients/registry.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { type RunningServer, startInProcess } from '../helpers/server.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const TRANSPORTS: TransportName[] = ['short-poll', 'long-poll', 'sse', 'fallback', 'ws', 'sse+h2'];

describe('clients connect from the target localAddress', () => {
  let server: RunningServer;
  let front: TcpProxy;
  /** Where each connection to the front came from. */
  const peers: string[] = [];

  beforeAll(async () => {
    server = await startInProcess({ h2: true });
    front = new TcpProxy(server.port);
    front.onAccept = (client) => peers.push(client.remoteAddress ?? '');
    await front.start();
  });

  afterAll(async () => {
    await front?.stop();
    await server?.stop();
  });

  it.each(TRANSPORTS)('%s: every connection comes from 127.0.0.9', async (transport) => {
    const before = peers.length;
    const client = createClient(transport, clientEnvironment(), { host: '127.0.0.1', port: front.port, localAddress: '127.0.0.9' }, 'src');
    try {
      await client.open();
    } finally {
      client.close();
    }
    const from = peers.slice(before);
    expect(from.length).toBeGreaterThan(0);
    expect(new Set(from)).toEqual(new Set(['127.0.0.9']));
  });

  it('without a localAddress the kernel picks one (the destination, on loopback)', async () => {
    const before = peers.length;
    const client = createClient('ws', clientEnvironment(), { host: '127.0.0.1', port: front.port }, 'src');
    try {
      await client.open();
    } finally {
      client.close();
    }
    expect(peers.slice(before)).toEqual(['127.0.0.1']);
  });
});
