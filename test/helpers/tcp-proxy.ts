/**
 * A TCP proxy in front of a server under test, to take the server away from
 * its clients and give it back while the server itself (and its history)
 * stays up: `cut()` resets every connection on both sides (RST, as a
 * crashed process or a dropped route looks) and closes the port, so
 * reconnects are refused; `restore()` listens on the same port again. In
 * `reset` mode the port accepts and resets at once (a server that takes
 * connections and drops them, at once or after
 * `resetAfterMs`). `onClientData` sees each chunk a client
 * sends before it is forwarded and may hold it back; `onServerData` does
 * the same for each chunk the server sends; `onAccept` sees each connection
 * as it is accepted (where it came from).
 */
import net, { type Server, type Socket } from 'node:net';

export interface ProxiedConnection {
  /** The first chunk the client sent (the request line tells what it is). */
  first: Buffer | undefined;
  /** Chunks received from the client so far, this one included. */
  chunks: number;
  client: Socket;
  upstream: Socket;
}

export class TcpProxy {
  port = 0;
  /** Connections accepted since the proxy started, in either mode. */
  accepted = 0;
  mode: 'forward' | 'reset' = 'forward';
  /** In reset mode: how long an accepted connection lives (0: reset at once). */
  resetAfterMs = 0;
  /** Sees each connection a client makes, as it is accepted (in either mode). */
  onAccept: ((client: Socket) => void) | undefined;
  /** Returns false to hold the chunk back (it is not forwarded). */
  onClientData: ((connection: ProxiedConnection, chunk: Buffer) => boolean) | undefined;
  /** Returns false to hold the server's chunk back (it is not forwarded). */
  onServerData: ((connection: ProxiedConnection, chunk: Buffer) => boolean) | undefined;
  readonly #connections = new Set<ProxiedConnection>();
  #server: Server | undefined;

  constructor(readonly targetPort: number) {}

  async start(): Promise<this> {
    const server = net.createServer((client) => this.#accept(client));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  #accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => {});
    this.onAccept?.(client);
    if (this.mode === 'reset') {
      if (this.resetAfterMs === 0) client.resetAndDestroy();
      else setTimeout(() => client.destroyed || client.resetAndDestroy(), this.resetAfterMs);
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    upstream.on('error', () => {});
    const connection: ProxiedConnection = { first: undefined, chunks: 0, client, upstream };
    this.#connections.add(connection);
    client.on('data', (chunk: Buffer) => {
      connection.first ??= chunk;
      connection.chunks++;
      if (this.onClientData?.(connection, chunk) === false) return;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.onServerData?.(connection, chunk) === false) return;
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const drop = () => {
      this.#connections.delete(connection);
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.resetAndDestroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
  }

  /** Resets one connection on both sides. */
  reset(connection: ProxiedConnection): void {
    this.#connections.delete(connection);
    if (!connection.client.destroyed) connection.client.resetAndDestroy();
    if (!connection.upstream.destroyed) connection.upstream.resetAndDestroy();
  }

  /** Resets every connection and stops listening: the server is gone for the clients. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const connection of [...this.#connections]) this.reset(connection);
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Listens on the same port again. */
  async restore(): Promise<void> {
    await this.start();
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  return new TcpProxy(targetPort).start();
}
