// The minimal `ws` broadcast server of the peer comparison: one process, the
// same subscribe/publish contract as rtbench's /ws, nothing else (no history,
// no cursors, no keep-alive sweep). What a hand-rolled fan-out costs.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const channels = new Map();
const seqs = new Map();
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { channel, event = 'update', data = null, ts } = JSON.parse(body);
      const seq = (seqs.get(channel) ?? 0) + 1;
      seqs.set(channel, seq);
      const json = JSON.stringify({ channel, seq, event, ts: ts ?? performance.timeOrigin + performance.now(), data });
      for (const ws of channels.get(channel) ?? []) ws.send(json);
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
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const { op, channel } = JSON.parse(data.toString());
    if (op !== 'subscribe') return;
    if (!channels.has(channel)) channels.set(channel, new Set());
    channels.get(channel).add(ws);
    ws.send(JSON.stringify({ op: 'subscribed', channel, seq: seqs.get(channel) ?? 0 }));
  });
  ws.on('close', () => {
    for (const set of channels.values()) set.delete(ws);
  });
});
server.listen({ port, host: '0.0.0.0', backlog: 4096 }, () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
