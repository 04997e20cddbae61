// A plain `ws` server with its own JSON, written as the ws README's broadcast
// example (https://github.com/websockets/ws#server-broadcast) with rooms:
// a client sends {"type":"join","room":"r"} and gets {"type":"joined","room":"r"};
// {"type":"say","room":"r","text":"..."} from anyone is broadcast to the room's
// members as {"type":"said","room":"r","text":"...","at":<ms>}. Nothing in it knows rtbench.
//
//   PORT=8080 node examples/ws-rooms/server.mjs
import { WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 8080) });
const rooms = new Map(); // room -> Set of sockets

wss.on('connection', function connection(ws) {
  ws.on('error', console.error);
  ws.on('message', function message(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.type === 'join' && typeof msg.room === 'string') {
      if (!rooms.has(msg.room)) rooms.set(msg.room, new Set());
      rooms.get(msg.room).add(ws);
      ws.send(JSON.stringify({ type: 'joined', room: msg.room }));
    } else if (msg.type === 'say' && typeof msg.room === 'string') {
      const said = JSON.stringify({ type: 'said', room: msg.room, text: msg.text, at: Date.now() });
      for (const client of rooms.get(msg.room) ?? []) {
        if (client.readyState === WebSocket.OPEN) client.send(said);
      }
    }
  });
  ws.on('close', () => {
    for (const members of rooms.values()) members.delete(ws);
  });
});

wss.on('listening', () => console.log(`ws rooms listening on http://127.0.0.1:${wss.address().port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => wss.close(() => process.exit(0)));
