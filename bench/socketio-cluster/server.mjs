// The socket.io chat of examples/socketio-chat/server.mjs (rooms joined with
// an acknowledged `join`, `chat message` events, POST /rooms/:room/messages
// doing io.to(room).emit), run as socket.io's docs show for several
// processes: node cluster, @socket.io/sticky in the primary (a session's
// requests reach the worker that holds it) and @socket.io/cluster-adapter
// (io.to(room).emit in one worker reaches the room's sockets in every
// worker). bench:socketio-20k needs it: one process holds at most 20,000
// files, so 20,000 clients cannot all be held by the single-process example.
// The chat is the example's own (createChat); only the set-up around it is
// the cluster form.
//
//   PORT=3000 WORKERS=2 node bench/socketio-cluster/server.mjs
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { createAdapter, setupPrimary as setupAdapterPrimary } from '@socket.io/cluster-adapter';
import { setupMaster, setupWorker } from '@socket.io/sticky';
import { createChat } from '../../examples/socketio-chat/chat.mjs';

const workers = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  const httpServer = createServer();
  setupMaster(httpServer, { loadBalancingMethod: 'least-connection' });
  setupAdapterPrimary();
  cluster.setupPrimary({ serialization: 'advanced' });
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (message) => {
      if (message === 'worker-ready' && ++ready === workers) {
        httpServer.listen(Number(process.env.PORT ?? 3000), () => {
          console.log(`socket.io chat (${workers} workers) listening on http://127.0.0.1:${httpServer.address().port}`);
        });
      }
    });
  }
  cluster.on('exit', (worker, code, signal) => console.error(`worker ${worker.process.pid} exited (${signal ?? code})`));
  // The bench holds stdin: when it goes, so does the chat, however the bench ended.
  process.stdin.on('end', () => process.exit(0)).resume();
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
} else {
  const { io } = createChat();
  io.adapter(createAdapter());
  setupWorker(io);
  process.send('worker-ready');
}
