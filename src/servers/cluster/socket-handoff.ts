/**
 * Moving an upgrade's client socket from the worker that accepted it to the
 * worker that owns its Engine.IO session (see session-relay.ts). The socket travels
 * as a handle over the cluster IPC, through the primary; the bytes the first
 * worker had already read travel in the message.
 */
import type { Socket } from 'node:net';
import type { UpgradeHandoff } from './messages.js';

/**
 * A socket on its way elsewhere must not read: Node starts reading every
 * socket it wraps (also one received over IPC), and bytes this process took
 * from the kernel would never reach the owner (a client's `5` or a pong, and
 * the session would lose updates; seen in 2-3 of 1,500 sessions). Node has no
 * public call for this; `readStop` on the handle is what `socket.pause()`
 * does once the stream buffer is full.
 */
export function stopReading(socket: Socket): void {
  (socket as unknown as { _handle?: { readStop?(): number } })._handle?.readStop?.();
}

/**
 * Takes a socket handed over by another worker: `connect` gives it to the
 * public server as a fresh connection (through the connection gate, which
 * always takes a moved socket), and the upgrade request the other worker
 * had already read is replayed, so this worker, the session's owner,
 * upgrades it as if the client had connected here.
 */
export function adoptUpgrade(socket: Socket | undefined, handoff: UpgradeHandoff, connect: (socket: Socket) => void): void {
  if (!socket) return;
  connect(socket);
  socket.emit('data', Buffer.concat([Buffer.from(handoff.head, 'latin1'), Buffer.from(handoff.rest, 'base64')]));
  socket.resume();
}
