/**
 * A load agent's --source-address: every load client, over each way it
 * connects (raw WebSocket, the HTTP connection of polls and SSE, the
 * fallback's sockets, HTTP/2), connects from the target's `localAddress`
 * when it has one. A front on the server's port records the peer address
 * of every connection it accepts.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type TransportName } from '../../src/clients/registry.js';
import { clientEnvironment } from '../helpers/client-env.js';
import { type RunningServer, startInProcess } from '../helpers/server.js';

/** Records where each connection came from, and pipes it to the server. */
class RecordingFront {
  readonly peers: string[] = [];
  readonly #sockets = new Set<net.Socket>();
  readonly #server = net.createServer((client) => {
    this.peers.push(client.remoteAddress ?? '');
    const upstream = net.connect(this.serverPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  port = 0;

  constructor(readonly serverPort: number) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const TRANSPORTS: TransportName[] = ['short-poll', 'long-poll', 'sse', 'fallback', 'ws', 'sse+h2'];

describe('clients connect from the target localAddress', () => {
  let server: RunningServer;
  let front: RecordingFront;

  beforeAll(async () => {
    server = await startInProcess({ h2: true });
    front = new RecordingFront(server.port);
    await front.start();
  });

  afterAll(async () => {
    await front?.stop();
    await server?.stop();
  });

  it.each(TRANSPORTS)('%s: every connection comes from 127.0.0.9', async (transport) => {
    const before = front.peers.length;
    const client = createClient(transport, clientEnvironment(), { host: '127.0.0.1', port: front.port, localAddress: '127.0.0.9' }, 'src');
    try {
      await client.open();
    } finally {
      client.close();
    }
    const peers = front.peers.slice(before);
    expect(peers.length).toBeGreaterThan(0);
    expect(new Set(peers)).toEqual(new Set(['127.0.0.9']));
  });

  it('without a localAddress the kernel picks one (the destination, on loopback)', async () => {
    const before = front.peers.length;
    const client = createClient('ws', clientEnvironment(), { host: '127.0.0.1', port: front.port }, 'src');
    try {
      await client.open();
    } finally {
      client.close();
    }
    expect(front.peers.slice(before)).toEqual(['127.0.0.1']);
  });
});
