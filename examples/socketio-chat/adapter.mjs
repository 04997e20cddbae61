// rtbench adapter for the socket.io chat (server.mjs): join a room with an
// acknowledged `join`, updates are `chat message` events, and publishing is
// the app's own HTTP route. rtbench's channels (ch0, ch1, ...) are the rooms.
//
//   npx rtbench run --target http://127.0.0.1:3000 --adapter examples/socketio-chat/adapter.mjs
/** @type {import('rtbench').Adapter} */
export default {
  name: 'socketio-chat',
  socketio: {
    subscribe: { event: 'join', args: (room) => [room], ack: true },
    updates: ['chat message'],
    // socket.io-client's default: HTTP long-polling first, then the WebSocket upgrade.
    // transports: ['websocket'] connects over WebSocket only.
    transports: ['polling', 'websocket'],
  },
  publish: {
    http: (room, text) => ({ path: `/rooms/${encodeURIComponent(room)}/messages`, body: JSON.stringify({ text }) }),
  },
};
