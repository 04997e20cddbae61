// A socket.io 4 chat server with rooms, written as socket.io's own docs show
// (https://socket.io/docs/v4/server-initialization/, /rooms/): clients emit
// `join` with a room name (and get an acknowledgement), messages reach a
// room as `chat message` events, and the app's back end posts a message to a
// room over HTTP: POST /rooms/:room/messages {"text": "..."} does
// io.to(room).emit('chat message', ...). Nothing in it knows rtbench.
//
//   PORT=3000 node examples/socketio-chat/server.mjs
import { createChat } from './chat.mjs';

const { httpServer, io } = createChat();

httpServer.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`socket.io chat listening on http://127.0.0.1:${httpServer.address().port}`);
});

// Stop cleanly on Ctrl-C or SIGTERM.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => io.close(() => process.exit(0)));
