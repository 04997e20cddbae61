// The chat's adapter (examples/socketio-chat/adapter.mjs) with its clients on
// WebSocket only, as socket.io-client's `transports: ['websocket']` connects.
// bench:socketio-20k uses it: @socket.io/sticky answers every HTTP request
// with `Connection: close` (a connection is never reused for another
// session), and rtbench's Engine.IO client takes its polling connection
// closing during the handshake for the session's end; over WebSocket the
// one upgrade request is handed to a worker and the socket stays there.
import chat from '../../examples/socketio-chat/adapter.mjs';

/** @type {import('rtbench').Adapter} */
export default { ...chat, name: 'socketio-chat-websocket', socketio: { ...chat.socketio, transports: ['websocket'] } };
