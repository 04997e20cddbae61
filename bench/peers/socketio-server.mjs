// The real socket.io server for the peer comparison (benchmark-only dependency):
// one process, `subscribe` joins a room, POST /publish emits the envelope to it.
import { Server } from 'socket.io';
import { createPeerHttp } from './peer-http.mjs';

const http = createPeerHttp((envelope) => io.to(envelope.channel).emit('message', envelope));
const io = new Server(http.server, { serveClient: false, perMessageDeflate: false, httpCompression: false });
io.on('connection', (socket) => {
  socket.on('subscribe', ({ channel }, ack) => {
    socket.join(channel);
    ack?.({ seq: http.headOf(channel) });
  });
});
http.listen(Number(process.argv[2] ?? 0));
