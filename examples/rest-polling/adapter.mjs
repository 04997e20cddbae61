// rtbench adapter for the REST polling server (server.mjs): poll the room's
// messages after the last id seen, with If-None-Match (a 304 when nothing is
// new); the items are in `messages`; POST publishes. `poll` is short polling
// every --poll-interval; the same section as `longPoll` would ask again as
// soon as an answer came.
//
//   npx rtbench run --target http://127.0.0.1:8082 --adapter examples/rest-polling/adapter.mjs
/** @type {import('rtbench').Adapter} */
export default {
  name: 'rest-polling',
  poll: {
    path: (room, cursor) => `/rooms/${encodeURIComponent(room)}/messages?after=${cursor ?? 0}`,
    etag: true,
    cursor: (body) => String(body.last),
    items: (body) => body.messages,
  },
  publish: {
    http: (room, text) => ({ path: `/rooms/${encodeURIComponent(room)}/messages`, body: JSON.stringify({ text }) }),
  },
};
