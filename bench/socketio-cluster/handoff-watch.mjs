// Loaded with `node --import` into bench/socketio-cluster/server.mjs by
// bench/socketio-handoff.ts; does nothing in the workers. In the primary it
// watches the sockets @socket.io/sticky hands to a worker (a
// `sticky:connection` message with the socket): Node's child_process takes
// the handle away from the socket but leaves it reading, with its onread a
// no-op, until the worker's NODE_HANDLE_ACK comes back, so whatever the
// client sends in that window is read by the primary and dropped. Each such
// read is printed as `handoff-read N`. With HANDOFF_READ_STOP=1 the primary
// stops reading the socket before handing it over (what the fix in the
// primary would be), so the bytes stay in the kernel for the worker.
import cluster from 'node:cluster';

if (cluster.isPrimary) {
  const readStop = process.env.HANDOFF_READ_STOP === '1';
  let reads = 0;
  const send = cluster.Worker.prototype.send;
  cluster.Worker.prototype.send = function (message, handle, ...rest) {
    const wrap = message?.type === 'sticky:connection' ? handle?._handle : undefined;
    if (wrap && readStop) wrap.readStop();
    const result = send.call(this, message, handle, ...rest);
    if (wrap) {
      wrap.onread = () => {
        reads++;
        console.log(`handoff-read ${reads}`);
      };
    }
    return result;
  };
}
