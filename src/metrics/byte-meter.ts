/**
 * The byte meter: every byte a client connection receives and sends, read at
 * the socket (`bytesRead` / `bytesWritten`), so connects, HTTP heads, chunk
 * lines, frame headers, masks, pings and reconnects are all counted exactly
 * as the kernel sees them. Load clients only attach their sockets; the meter
 * knows no transport.
 */
import type { Socket } from 'node:net';

export interface ByteCounts {
  down: number;
  up: number;
}

export class ByteMeter {
  readonly #live = new Set<Socket>();
  #closedDown = 0;
  #closedUp = 0;

  attach(socket: Socket): void {
    this.#live.add(socket);
    socket.once('close', () => {
      this.#closedDown += socket.bytesRead;
      this.#closedUp += socket.bytesWritten;
      this.#live.delete(socket);
    });
  }

  /** Totals so far, closed and open sockets together. */
  snapshot(): ByteCounts {
    let down = this.#closedDown;
    let up = this.#closedUp;
    for (const socket of this.#live) {
      down += socket.bytesRead;
      up += socket.bytesWritten;
    }
    return { down, up };
  }

  get openSockets(): number {
    return this.#live.size;
  }
}
