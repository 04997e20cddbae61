/**
 * A TCP proxy that counts, per connection, the bytes each side sent, so a
 * test can hold rtbench's byte figures against what really crossed the
 * sockets of an app it does not control. Connections whose first bytes name
 * rtbench's publisher (its `user-agent`) are counted apart: the run's
 * figures are the subscribers' only.
 */
import net, { type Server, type Socket } from 'node:net';

export interface CountedConnection {
  /** The first chunk the client sent. */
  first: string;
  /** Bytes from the client (its `up`) and to the client (its `down`). */
  up: number;
  down: number;
  closed: boolean;
}

export class ByteProxy {
  port = 0;
  readonly connections: CountedConnection[] = [];
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  constructor(readonly targetPort: number) {}

  async start(): Promise<this> {
    // Half-open on both sides, as a direct connection would be: a client's FIN must not stop what the app still sends.
    const server = net.createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  #accept(client: Socket): void {
    const counted: CountedConnection = { first: '', up: 0, down: 0, closed: false };
    this.connections.push(counted);
    const upstream = net.connect({ port: this.targetPort, host: '127.0.0.1', allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => this.#sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      if (counted.first === '') counted.first = chunk.toString('latin1', 0, 2048);
      counted.up += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      counted.down += chunk.length;
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    // One side gone: the other is ended, not destroyed, so what was counted as sent to it is still flushed.
    client.on('close', () => {
      counted.closed = true;
      upstream.end();
    });
    upstream.on('close', () => client.end());
  }

  /** Totals of the connections that are not the publisher's. */
  subscriberBytes(): { down: number; up: number; connections: number } {
    const subscribers = this.connections.filter((c) => !c.first.toLowerCase().includes('user-agent: rtbench-publisher'));
    return {
      down: subscribers.reduce((sum, c) => sum + c.down, 0),
      up: subscribers.reduce((sum, c) => sum + c.up, 0),
      connections: subscribers.length,
    };
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
