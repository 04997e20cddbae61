// A socket.io 4 chat server with rooms, written as socket.io's own docs show
// (https://socket.io/docs/v4/server-initialization/, /rooms/): clients emit
// `join` with a room name (and get an acknowledgement), messages reach a
// room as `chat message` events, and the app's back end posts a message to a
// room over HTTP: POST /rooms/:room/messages {"text": "..."} does
// io.to(room).emit('chat message', ...). Nothing in it knows rtbench.
//
//   PORT=3000 node examples/socketio-chat/server.mjs
import { createServer } from 'node:http';
import { Server } from 'socket.io';

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

io.on('connection', (socket) => {
  socket.on('join', (room, callback) => {
    socket.join(String(room));
    if (typeof callback === 'function') callback({ joined: String(room) });
  });
  socket.on('leave', (room) => socket.leave(String(room)));
});

httpServer.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`socket.io chat listening on http://127.0.0.1:${httpServer.address().port}`);
});

// Stop cleanly on Ctrl-C or SIGTERM.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => io.close(() => process.exit(0)));
