// A socket.io 4 chat with rooms, written as socket.io's own docs show
// (https://socket.io/docs/v4/server-initialization/, /rooms/): clients emit
// `join` with a room name (and get an acknowledgement), messages reach a
// room as `chat message` events, and the app's back end posts a message to a
// room over HTTP: POST /rooms/:room/messages {"text": "..."} does
// io.to(room).emit('chat message', ...). Nothing in it knows rtbench.
//
// The app itself: server.mjs runs it in one process,
// bench/socketio-cluster/server.mjs in several (node cluster, sticky
// sessions, the cluster adapter), with these same handlers.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

/** The chat's HTTP server (not listening yet) and its socket.io server. */
export function createChat() {
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
  return { httpServer, io };
}
