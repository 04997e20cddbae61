/**
 * Bytes the server wrote, per transport, read from the sockets themselves
 * (`socket.bytesWritten`), so HTTP heads, chunk lines and frame headers are
 * all in it. A keep-alive socket may serve several transports in turn; each
 * request settles what was written so far to the transport it served.
 */
import type { Socket } from 'node:net';

const kTally = Symbol('rtbench.byteTally');

interface SocketTally {
  owner: ByteTally;
  transport: string;
  counted: number;
}

type TalliedSocket = Socket & { [kTally]?: SocketTally };

export class ByteTally {
  readonly #totals = new Map<string, number>();
  readonly #live = new Set<TalliedSocket>();

  /** Call once per accepted connection. */
  track(socket: Socket): void {
    const tallied = socket as TalliedSocket;
    tallied[kTally] = { owner: this, transport: 'other', counted: 0 };
    this.#live.add(tallied);
    socket.once('close', onTrackedClose);
  }

  /** A tracked socket closed: settle its last bytes and forget it. */
  release(socket: Socket): void {
    this.#settle(socket as TalliedSocket);
    this.#live.delete(socket as TalliedSocket);
  }

  /** Bytes written from now on belong to `transport`. */
  attribute(socket: Socket, transport: string): void {
    const tallied = socket as TalliedSocket;
    const tally = tallied[kTally];
    if (!tally) return;
    if (tally.transport === transport) return;
    this.#settle(tallied);
    tally.transport = transport;
  }

  totals(): Map<string, number> {
    for (const socket of this.#live) this.#settle(socket);
    return new Map(this.#totals);
  }

  #settle(socket: TalliedSocket): void {
    const tally = socket[kTally]!;
    const written = socket.bytesWritten;
    const delta = written - tally.counted;
    if (delta > 0) {
      this.#totals.set(tally.transport, (this.#totals.get(tally.transport) ?? 0) + delta);
      tally.counted = written;
    }
  }
}

// Module-level listener: no closure per connection.
function onTrackedClose(this: TalliedSocket): void {
  this[kTally]?.owner.release(this);
}
