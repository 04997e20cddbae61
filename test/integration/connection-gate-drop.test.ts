/**
 * /admin/drop resets a share of a worker's open connections. A connection
 * whose handle was just sent to another process (a session handoff between
 * workers) is still in the gate until its send completes, with no handle
 * left: resetting it must not crash the process (it did, with an unhandled
 * ERR_SOCKET_CLOSED, in a 10,000-client faults run).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ConnectionGate } from '../../src/servers/connection-gate.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('drop() over a socket whose handle is on its way to another process neither throws nor emits an unhandled error', async () => {
  const server = http.createServer();
  const gate = new ConnectionGate(server, 100);
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Not awaited: the server's count of connections does not drop for a socket whose handle went away.
  cleanups.push(() => server.close());
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('error', () => {});
  cleanups.push(() => client.destroy());
  const socket = await accepted;
  // A child that takes the handle, as a worker takes a handed-off session's socket.
  const child = spawn(process.execPath, ['-e', "process.on('message', (_m, handle) => { handle?.destroy(); process.disconnect(); })"], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  cleanups.push(() => child.kill());
  await new Promise((resolve) => child.once('spawn', resolve));
  const uncaught: Error[] = [];
  const onUncaught = (error: Error) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  cleanups.push(() => process.off('uncaughtException', onUncaught));
  // As after an upgrade request, when Node's HTTP server has let go of the socket (and of its error listener).
  socket.removeAllListeners('error');
  const sent = new Promise((resolve) => child.send('handoff', socket, {}, resolve));
  expect(gate.open).toBe(1);
  // In the same tick as the send: the socket has given its handle away and is not destroyed yet.
  expect(() => gate.drop(1)).not.toThrow();
  await sent;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(uncaught).toEqual([]);
  expect(socket.destroyed).toBe(true);
});
