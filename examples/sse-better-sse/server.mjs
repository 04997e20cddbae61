// An SSE endpoint built with better-sse (https://matthewwid.github.io/better-sse/),
// as its guides show: a session per request, one channel per room, and the
// app's back end broadcasts to a room with POST /rooms/:room/messages {"text"}.
// Clients listen on GET /rooms/:room/events; updates are `chat` events.
// Nothing in it knows rtbench.
//
//   PORT=8081 node examples/sse-better-sse/server.mjs
import { createServer } from 'node:http';
import { createChannel, createSession } from 'better-sse';

const channels = new Map(); // room -> better-sse Channel

function channelOf(room) {
  if (!channels.has(room)) channels.set(room, createChannel());
  return channels.get(room);
}

const server = createServer(async (req, res) => {
  const events = req.method === 'GET' && /^\/rooms\/([^/]+)\/events$/.exec(req.url);
  if (events) {
    const session = await createSession(req, res);
    channelOf(decodeURIComponent(events[1])).register(session);
    return;
  }
  const post = req.method === 'POST' && /^\/rooms\/([^/]+)\/messages$/.exec(req.url);
  if (!post) {
    res.writeHead(404).end();
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
  const room = decodeURIComponent(post[1]);
  channelOf(room).broadcast({ room, text: String(message.text ?? ''), at: Date.now() }, 'chat');
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
});

server.listen(Number(process.env.PORT ?? 8081), () => {
  console.log(`better-sse rooms listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
