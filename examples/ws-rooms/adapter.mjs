// rtbench adapter for the ws rooms server (server.mjs): join with the app's
// own JSON, wait for its `joined` reply, publish by saying something in the
// room over a WebSocket of the same protocol.
//
//   npx rtbench run --target http://127.0.0.1:8080 --adapter examples/ws-rooms/adapter.mjs
/** @type {import('rtbench').Adapter} */
export default {
  name: 'ws-rooms',
  ws: {
    path: '/',
    subscribe: (room) => JSON.stringify({ type: 'join', room }),
    ready: (message) => message.startsWith('{"type":"joined"'),
  },
  publish: {
    ws: { message: (room, text) => JSON.stringify({ type: 'say', room, text }) },
  },
};
