/**
 * A worker's hold on the one listening socket the workers share, which it
 * can let go of and take again: how a worker at its connection budget stops
 * accepting while the others go on.
 *
 * Under SCHED_NONE every worker holds its own descriptor for the same
 * listening socket, and the kernel gives each new connection to whichever
 * worker accepts first. A worker that closes its descriptor takes no more
 * connections; the socket, its port and the connections queued on it stay,
 * as long as some process holds a descriptor. The cluster module's own
 * bookkeeping closes the socket when the last worker that got it through
 * `listen()` lets go, so the primary keeps a copy of its own (the anchor,
 * sent to it once by the first worker that listened) and hands a copy to
 * each worker that starts, or starts accepting again. Node offers no public
 * call to listen on a descriptor received this way inside a cluster worker
 * (`server.listen(handle)` asks the primary for a new socket instead), so
 * this does what the cluster module itself does with a received handle:
 * sets `server._handle` and calls `server._listen2()`.
 */
import type http from 'node:http';
import net from 'node:net';

interface ListenHandle {
  close(): void;
}

/** The net.Server internals the cluster module uses for the same purpose. */
interface ServerInternals {
  _handle: ListenHandle | null;
  _listen2(address: string, port: number, addressType: number, backlog: number): void;
}

export class AcceptSwitch {
  readonly #server: ServerInternals;

  constructor(
    server: http.Server,
    private readonly host: string,
    private readonly port: number,
    private readonly backlog = 4096,
  ) {
    this.#server = server as unknown as ServerInternals;
  }

  get accepting(): boolean {
    return this.#server._handle !== null;
  }

  /** This worker's listening handle (to send the primary its anchor copy). */
  get handle(): unknown {
    return this.#server._handle;
  }

  /** Stops accepting: closes this worker's descriptor of the shared socket. */
  stop(): void {
    const handle = this.#server._handle;
    if (!handle) return;
    this.#server._handle = null;
    handle.close();
  }

  /** Accepts on a descriptor of the shared socket that the primary sent; false if listening on it failed. */
  start(handle: ListenHandle): boolean {
    if (this.#server._handle) {
      handle.close();
      return true;
    }
    this.#server._handle = handle;
    this.#server._listen2(this.host, this.port, net.isIPv6(this.host) ? 6 : 4, this.backlog);
    // On failure _listen2 has closed the handle and cleared _handle (the 'error' it emits is a listen error, not ours).
    return this.#server._handle !== null;
  }
}
