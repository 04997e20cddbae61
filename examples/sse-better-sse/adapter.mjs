// rtbench adapter for the better-sse server (server.mjs): one stream per room,
// `chat` events carry the updates, the app's HTTP route publishes.
//
//   npx rtbench run --target http://127.0.0.1:8081 --adapter examples/sse-better-sse/adapter.mjs
/** @type {import('rtbench').Adapter} */
export default {
  name: 'sse-better-sse',
  sse: { path: (room) => `/rooms/${encodeURIComponent(room)}/events`, events: ['chat'] },
  publish: {
    http: (room, text) => ({ path: `/rooms/${encodeURIComponent(room)}/messages`, body: JSON.stringify({ text }) }),
  },
};
