// The minimal `ws` broadcast server of the peer comparison: one process, the
// same subscribe/publish contract as rtbench's /ws, nothing else (no history,
// no cursors, no keep-alive sweep). What a hand-rolled fan-out costs.
import { WebSocketServer } from 'ws';
import { createPeerHttp } from './peer-http.mjs';

const channels = new Map();
const http = createPeerHttp((envelope) => {
  const json = JSON.stringify(envelope);
  for (const ws of channels.get(envelope.channel) ?? []) ws.send(json);
});
const wss = new WebSocketServer({ server: http.server, path: '/ws', perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const { op, channel } = JSON.parse(data.toString());
    if (op !== 'subscribe') return;
    if (!channels.has(channel)) channels.set(channel, new Set());
    channels.get(channel).add(ws);
    ws.send(JSON.stringify({ op: 'subscribed', channel, seq: http.headOf(channel) }));
  });
  ws.on('close', () => {
    for (const set of channels.values()) set.delete(ws);
  });
});
http.listen(Number(process.argv[2] ?? 0));
