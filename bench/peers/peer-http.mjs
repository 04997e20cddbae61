// The HTTP side both peer servers share: POST /publish numbers the message
// per channel and hands the envelope to the server's own fan-out, GET /healthz
// reports memory after a GC (when --expose-gc), the same as rtbench serve.
import http from 'node:http';

/**
 * @param {(envelope: object) => void} broadcast  sends one envelope to the channel's subscribers
 * @returns {{ server: http.Server, headOf: (channel: string) => number, listen: (port: number) => void }}
 */
export function createPeerHttp(broadcast) {
  const seqs = new Map();
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/publish') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { channel, event = 'update', data = null, ts } = JSON.parse(body);
        const seq = (seqs.get(channel) ?? 0) + 1;
        seqs.set(channel, seq);
        broadcast({ channel, seq, event, ts: ts ?? performance.timeOrigin + performance.now(), data });
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
  const listen = (port) => {
    server.listen({ port, host: '0.0.0.0', backlog: 4096 }, () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
    process.on('SIGTERM', () => process.exit(0));
  };
  return { server, headOf: (channel) => seqs.get(channel) ?? 0, listen };
}
