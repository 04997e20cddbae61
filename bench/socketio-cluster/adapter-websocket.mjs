// The chat's adapter (examples/socketio-chat/adapter.mjs) with its clients on
// WebSocket only, as socket.io-client's `transports: ['websocket']` connects.
// bench:socketio-20k uses it by default: @socket.io/sticky answers every
// HTTP request with `Connection: close`, so polling first costs a new
// connection per polling request (src/clients/keep-alive-link.ts) through
// the sticky primary; over WebSocket the one upgrade request is handed to a
// worker and the socket stays there.
import chat from '../../examples/socketio-chat/adapter.mjs';

/** @type {import('rtbench').Adapter} */
export default { ...chat, name: 'socketio-chat-websocket', socketio: { ...chat.socketio, transports: ['websocket'] } };
