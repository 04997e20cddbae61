// A REST endpoint that clients poll, with a cursor and ETags, written with
// node:http alone: GET /rooms/:room/messages?after=N answers
// {"messages":[{"id","text","at"}...],"last":M} with the messages after id N
// and ETag "M" (the room's last id); If-None-Match with the current ETag gets
// a bodiless 304. POST /rooms/:room/messages {"text"} appends (201). Each room
// keeps its last 1,000 messages. Nothing in it knows rtbench.
//
//   PORT=8082 node examples/rest-polling/server.mjs
import { createServer } from 'node:http';

const KEPT = 1000;
const rooms = new Map(); // room -> { last, messages: [{id, text, at}] }

function roomOf(name) {
  if (!rooms.has(name)) rooms.set(name, { last: 0, messages: [] });
  return rooms.get(name);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const match = /^\/rooms\/([^/]+)\/messages$/.exec(url.pathname);
  if (!match) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const room = roomOf(decodeURIComponent(match[1]));
  if (req.method === 'GET') {
    const etag = `"${room.last}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const after = Number(url.searchParams.get('after') ?? 0);
    const messages = room.messages.filter((m) => m.id > after);
    res.writeHead(200, { 'content-type': 'application/json', etag, 'cache-control': 'no-cache' });
    res.end(JSON.stringify({ messages, last: room.last }));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  let message;
  try {
    message = JSON.parse(body);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const stored = { id: ++room.last, text: String(message.text ?? ''), at: Date.now() };
  room.messages.push(stored);
  if (room.messages.length > KEPT) room.messages.shift();
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(stored));
});

server.listen(Number(process.env.PORT ?? 8082), () => {
  console.log(`REST polling listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
