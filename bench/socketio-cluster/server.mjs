// The socket.io chat of examples/socketio-chat/server.mjs (rooms joined with
// an acknowledged `join`, `chat message` events, POST /rooms/:room/messages
// doing io.to(room).emit), run as socket.io's docs show for several
// processes: node cluster, @socket.io/sticky in the primary (a session's
// requests reach the worker that holds it) and @socket.io/cluster-adapter
// (io.to(room).emit in one worker reaches the room's sockets in every
// worker). bench:socketio-20k needs it: one process holds at most 20,000
// files, so 20,000 clients cannot all be held by the single-process example.
// The chat's handlers are the example's, line for line; only the set-up
// around them is the cluster form.
//
//   PORT=3000 WORKERS=2 node bench/socketio-cluster/server.mjs
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { createAdapter, setupPrimary as setupAdapterPrimary } from '@socket.io/cluster-adapter';
import { setupMaster, setupWorker } from '@socket.io/sticky';
import { Server } from 'socket.io';

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
  const httpServer = createServer((req, res) => {
    const match = req.method === 'POST' && /^\/rooms\/([^/]+)\/messages$/.exec(req.url);
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let message;
      try {
        message = JSON.parse(body);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad JSON"}');
        return;
      }
      const room = decodeURIComponent(match[1]);
      io.to(room).emit('chat message', { room, text: String(message.text ?? ''), at: Date.now() });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });

  const io = new Server(httpServer);
  io.adapter(createAdapter());
  setupWorker(io);

  io.on('connection', (socket) => {
    socket.on('join', (room, callback) => {
      socket.join(String(room));
      if (typeof callback === 'function') callback({ joined: String(room) });
    });
    socket.on('leave', (room) => socket.leave(String(room)));
  });
  process.send('worker-ready');
}
