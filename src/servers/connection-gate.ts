/**
 * Admission of client connections against the process's budget
 * (`--max-connections`, by default 7/8 of its file-descriptor limit).
 *
 * A process out of descriptors cannot even refuse cleanly: libuv accepts
 * and closes what it cannot hold, and nobody hears of it (a 100k run lost
 * 7-15% of its clients that way, the kernel having handed one worker 20,000
 * connections while the others held 10,000-16,000). So a cluster worker
 * that reaches its budget stops accepting at once, as nginx's
 * `ngx_accept_disabled` does, and the kernel hands new connections to the
 * workers that still accept (the `pause` callback; cluster/accept-switch.ts
 * does it); it accepts again once it is below the low-water mark. A
 * connection that arrives over the budget all the same (one process alone,
 * or every worker full) is answered 503 and closed, counted by reason in
 * `rtbench_connections_refused_total` and logged once per interval, never
 * silently. Sockets moved here from another worker (an Engine.IO upgrade
 * going to its session's owner) are always taken: they are not new.
 *
 * The gate sits in front of the HTTP server's own `connection` listeners,
 * so a refused socket never reaches the HTTP parser.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { IntervalLog } from './interval-log.js';

type ConnectionListener = (socket: Socket) => void;

const kGate = Symbol('rtbench.connectionGate');
type GatedSocket = Socket & { [kGate]?: ConnectionGate };

export type RefusalReason = 'max_connections' | 'fd_limit';
export const REFUSAL_REASONS: RefusalReason[] = ['max_connections', 'fd_limit'];

/** How the gate stops and restarts accepting; without one, a process refuses what is over its budget. */
export interface AcceptControl {
  /** Stop accepting now; false if this process must keep accepting (it is the last that does). */
  pause(): boolean;
  /** Open connections fell below the low-water mark since the pause: accepting may start again. */
  room(): void;
}

/** Refused sockets waiting to read the client's request before closing, at most. */
const MAX_REFUSING = 256;
/** How long a refused socket waits for the client to read the 503 and close. */
const REFUSAL_LINGER_MS = 2000;

const BODY = JSON.stringify({ error: 'the server is at its connection limit; try again later', code: 'RTB_ERR_SERVER_FULL' });
const REFUSAL =
  'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: application/json\r\nretry-after: 1\r\n' +
  `content-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;

export class ConnectionGate {
  /** Open connections stop being accepted at this count. */
  readonly budget: number;
  /** Below this, a paused process accepts again. */
  readonly lowWater: number;
  readonly #open = new Set<Socket>();
  readonly #downstream: ConnectionListener[];
  readonly #refused = new Map<RefusalReason, number>(REFUSAL_REASONS.map((reason) => [reason, 0]));
  readonly #log = new IntervalLog(10_000);
  #refusing = 0;
  #control: AcceptControl | undefined;
  #paused = false;
  #roomSignalled = false;

  constructor(
    readonly server: http.Server,
    budget: number,
  ) {
    if (!(budget >= 1)) throw new RangeError(`the connection budget must be at least 1, got ${budget}`);
    this.budget = budget;
    this.lowWater = Number.isFinite(budget) ? budget - Math.max(1, Math.floor(budget / 16)) : budget;
    // Every listener registered so far (the HTTP server's parser, byte
    // tallies) runs only for admitted sockets.
    this.#downstream = server.listeners('connection') as ConnectionListener[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => this.#admit(socket));
    server.on('error', (error: NodeJS.ErrnoException) => this.#onServerError(error));
  }

  /** Open connections now. */
  get open(): number {
    return this.#open.size;
  }

  get accepting(): boolean {
    return !this.#paused;
  }

  /** Refusals since start, by reason. */
  refusals(): Map<RefusalReason, number> {
    return new Map(this.#refused);
  }

  get refusedTotal(): number {
    let total = 0;
    for (const count of this.#refused.values()) total += count;
    return total;
  }

  /** Lets the gate pause accepting at the budget (cluster workers). */
  setControl(control: AcceptControl): void {
    this.#control = control;
  }

  /** Accepting again (the control listens once more); pauses at once if still at the budget. */
  resumed(): void {
    this.#paused = false;
    this.#roomSignalled = false;
    this.recheck();
  }

  /** Pauses if at the budget and the control now allows it (an overflow ended). */
  recheck(): void {
    if (!this.#paused && this.#open.size >= this.budget && this.#control?.pause()) this.#pause();
  }

  /** Takes a socket another process accepted, whatever the budget. */
  adopt(socket: Socket): void {
    this.#track(socket);
    this.recheck();
  }

  /** Resets `share` (0-1) of the open connections, chosen at random, except `keep`; returns how many. */
  drop(share: number, keep?: Socket): number {
    const candidates = [...this.#open].filter((socket) => socket !== keep);
    const count = Math.round(Math.min(1, Math.max(0, share)) * candidates.length);
    for (let i = 0; i < count; i++) {
      const pick = i + Math.floor(Math.random() * (candidates.length - i));
      const socket = candidates[pick]!;
      candidates[pick] = candidates[i]!;
      resetSocket(socket);
    }
    return count;
  }

  #admit(socket: Socket): void {
    if (this.#open.size >= this.budget) {
      this.#refuse(socket, 'max_connections');
      return;
    }
    this.#track(socket);
    if (this.#open.size >= this.budget && this.#control?.pause()) this.#pause();
  }

  #track(socket: Socket): void {
    this.#open.add(socket);
    (socket as GatedSocket)[kGate] = this;
    socket.once('close', onGatedClose);
    for (const listener of this.#downstream) listener.call(this.server, socket);
  }

  /** A tracked socket closed. */
  release(socket: Socket): void {
    if (!this.#open.delete(socket)) return;
    if (this.#paused && !this.#roomSignalled && this.#open.size < this.lowWater) {
      this.#roomSignalled = true;
      this.#control?.room();
    }
  }

  #pause(): void {
    this.#paused = true;
    this.#log.note('paused', `stopped accepting at ${this.#open.size} connections (--max-connections ${this.budget})`);
  }

  #refuse(socket: Socket, reason: RefusalReason): void {
    this.#count(reason);
    socket.on('error', ignore);
    if (this.#refusing >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    this.#refusing++;
    // A deadline, not an idle timeout: a client that trickles bytes cannot keep the slot.
    const deadline = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
    socket.once('close', () => {
      clearTimeout(deadline);
      this.#refusing--;
    });
    // Answer, then read and discard what the client sends until it closes:
    // closing with its request unread would reset the connection, and the
    // reset could destroy the answer before the client reads it.
    socket.end(REFUSAL);
    socket.resume();
  }

  #count(reason: RefusalReason): void {
    this.#refused.set(reason, this.#refused.get(reason)! + 1);
    const limit = reason === 'fd_limit' ? 'out of file descriptors' : `at --max-connections ${this.budget}, every worker full`;
    this.#log.note(reason, `refused connections (${limit}): ${this.#refused.get(reason)} since start`);
  }

  #onServerError(error: NodeJS.ErrnoException): void {
    // Listen errors reach whoever called listen(); only accept errors are ours.
    if (error.syscall !== 'accept') return;
    if (error.code === 'EMFILE' || error.code === 'ENFILE') this.#count('fd_limit');
    else this.#log.note('accept', `accept failed: ${error.message}`);
  }
}

// Module-level listener: no closure per connection.
function onGatedClose(this: GatedSocket): void {
  this[kGate]?.release(this);
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  // What the socket reports after our own reset has no one to tell. A socket
  // whose handle was just sent to another worker (a session handoff) has no
  // handle left and is not destroyed yet: resetAndDestroy() then emits
  // ERR_SOCKET_CLOSED, which without this listener crashed the worker.
  socket.on('error', ignore);
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function ignore(): void {
  // A refused client that resets has nothing left to tell.
}
