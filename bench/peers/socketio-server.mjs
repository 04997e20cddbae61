// The real socket.io server for the peer comparison (benchmark-only dependency):
// one process, `subscribe` joins a room, POST /publish emits the envelope to it.
import http from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const seqs = new Map();
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { channel, event = 'update', data = null, ts } = JSON.parse(body);
      const seq = (seqs.get(channel) ?? 0) + 1;
      seqs.set(channel, seq);
      io.to(channel).emit('message', { channel, seq, event, ts: ts ?? performance.timeOrigin + performance.now(), data });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ seq }));
    });
    return;
  }
  if (req.url === '/healthz') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', pid: process.pid, memory: { rss: m.rss, heap_used: m.heapUsed } }));
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(server, { serveClient: false, perMessageDeflate: false, httpCompression: false });
io.on('connection', (socket) => {
  socket.on('subscribe', ({ channel }, ack) => {
    socket.join(channel);
    ack?.({ seq: seqs.get(channel) ?? 0 });
  });
});
server.listen({ port, host: '0.0.0.0', backlog: 4096 }, () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
