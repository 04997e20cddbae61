/**
 * Raw WebSocket, `GET /ws`, on the `ws` library. JSON control messages:
 *   {"op":"subscribe","channel":"C","cursor":N?}  -> {"op":"subscribed","channel":"C","seq":head}
 *   {"op":"unsubscribe","channel":"C"}             -> {"op":"unsubscribed","channel":"C"}
 *   {"op":"publish","channel","event","data","id"?} -> {"op":"published","seq":N,"id"?}
 * Hub messages arrive as the bare envelope. A subscribe whose cursor is older
 * than the history kept first gets {"op":"gap","channel","from","to"}. Bad
 * input closes the connection with the RFC 6455 code that fits: 1003 binary
 * where text is expected, 1007 invalid UTF-8 or JSON, 1008 a bad op,
 * channel or cursor (also one ahead of the head), too many subscriptions,
 * 1009 too big. A peer that lets more than MAX_BUFFERED_BYTES wait unread,
 * deliveries and replies alike, is dropped (no close frame can reach it).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { authorizeChannel } from './channel-auth.js';
import { ChannelCursors } from './channel-cursors.js';
import type { HubMessage } from './hub.js';
import { parseControlMessage, refusedUnder } from './control-message.js';
import { CLOSE, RequestError } from './errors.js';
import { isAuthorized } from './http-util.js';
import { publishFromConnection } from './publish.js';
import { checkCursorReachable, gapBody, resume } from './resume.js';
import type { ServerContext, ServerTransport } from './transport.js';
import { perMessageDeflateOptions } from './ws-deflate.js';

const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const TEXT_FRAME = { binary: false } as const;
const kPeer = Symbol('rtbench.wsPeer');

type PeerSocket = WebSocket & { [kPeer]: WsPeer };
const peerOf = (ws: WebSocket): WsPeer => (ws as PeerSocket)[kPeer];

interface WsState {
  context: ServerContext;
  peers: Set<WsPeer>;
  subscribers: number;
  delivered: number;
}

class WsPeer extends ChannelCursors {
  awaitingPong = false;

  constructor(
    readonly ws: WebSocket,
    readonly state: WsState,
    readonly authorized: boolean,
  ) {
    super();
  }

  deliver(message: HubMessage): void {
    const cursor = this.cursorOf(message.channel);
    if (cursor === undefined || message.seq <= cursor) return;
    this.setCursor(message.channel, message.seq);
    this.state.delivered++;
    // The JSON string, not a shared UTF-8 Buffer: `ws` then hands the frame
    // header and the string to one writev, and Node copies the string in C++.
    // Measured with bench:peers (15,000 peers, one process): the shared
    // Buffer ran at 0.78-0.79x the minimal ws server's updates/s, the string
    // at 1.01-1.08x.
    this.ws.send(message.json, TEXT_FRAME);
    this.dropIfBacklogged();
  }

  /** The slow-consumer check, after every send: a peer that does not read is not buffered for. */
  dropIfBacklogged(): void {
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) this.ws.terminate();
  }

  subscribe(channel: string, cursor: number | undefined): void {
    const { context } = this.state;
    if (cursor !== undefined) checkCursorReachable(context, channel, cursor);
    const { head, added } = this.join(context.hub, channel, cursor, context.config.maxSubscriptions);
    if (added) this.state.subscribers++;
    this.reply({ op: 'subscribed', channel, seq: head });
    if (cursor === undefined) return;
    const { gap, messages } = resume(context.hub, channel, cursor);
    if (gap) this.reply({ op: 'gap', ...gapBody(channel, gap) });
    for (const message of messages) this.deliver(message);
  }

  unsubscribe(channel: string): void {
    if (this.leave(this.state.context.hub, channel)) this.state.subscribers--;
    this.reply({ op: 'unsubscribed', channel });
  }

  async publish(fields: Record<string, unknown>, id: unknown): Promise<void> {
    const { bus, config } = this.state.context;
    const answer = await publishFromConnection(bus, config.secret, this.authorized, fields);
    this.reply({ op: 'published', ...answer, id });
  }

  /** Control replies go through the same high-water mark as deliveries. */
  reply(body: unknown): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(body));
    this.dropIfBacklogged();
  }

  release(): void {
    const { hub } = this.state.context;
    this.state.subscribers -= this.unsubscribeAll(hub);
    this.state.peers.delete(this);
  }
}

function fail(ws: WebSocket, code: number, reason: string): void {
  // A close reason may hold at most 123 bytes.
  ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
}

function handleControl(peer: WsPeer, text: string, echo: boolean): void {
  const parsed = parseControlMessage(text);
  if (!parsed.ok) {
    if (refusedUnder(echo, parsed.fault)) failWith(peer.ws, parsed.error);
    return;
  }
  const message = parsed.message;
  try {
    switch (message.op) {
      case 'subscribe':
        // On /ws the client names its connection: the `client` field.
        authorizeChannel(peer.state.context.config.secret, message.client, message.channel, message.token);
        peer.subscribe(message.channel, message.cursor);
        return;
      case 'unsubscribe':
        peer.unsubscribe(message.channel);
        return;
      case 'publish':
        peer.publish(message.fields, message.id).catch((error: unknown) => failWith(peer.ws, error));
        return;
    }
  } catch (error) {
    failWith(peer.ws, error);
  }
}

function failWith(ws: WebSocket, error: unknown): void {
  if (error instanceof RequestError) fail(ws, error.closeCode, error.message);
  else fail(ws, CLOSE.internalError, 'internal error');
}

// Listeners live at module level and find their peer through a symbol, so
// no closure is allocated per connection (it matters at 100,000 sockets).
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const peer = peerOf(this);
  const echo = peer.state.context.config.echo;
  if (echo) {
    this.send(data, { binary: isBinary });
    peer.dropIfBacklogged();
  }
  if (isBinary) {
    if (!echo) fail(this, CLOSE.unsupportedData, 'binary messages are not supported; send JSON text');
    return;
  }
  handleControl(peer, data.toString(), echo);
}

function onPong(this: WebSocket): void {
  peerOf(this).awaitingPong = false;
}

function onClose(this: WebSocket): void {
  peerOf(this).release();
}

function onError(this: WebSocket): void {
  // ws closes the socket itself (1002, 1007, 1009 ...); the close event releases the peer.
}

export function websocketTransport(context: ServerContext): ServerTransport {
  const { config } = context;
  const state: WsState = { context, peers: new Set(), subscribers: 0, delivered: 0 };
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxPayload,
    perMessageDeflate: perMessageDeflateOptions(config.wsDeflate),
  });

  // One sweep per interval instead of a timer per connection: ping everyone,
  // then drop whoever has not answered when the ping timeout has passed.
  let timeoutCheck: NodeJS.Timeout | undefined;
  const keepAlive = setInterval(() => {
    for (const peer of state.peers) {
      peer.awaitingPong = true;
      peer.ws.ping();
    }
    clearTimeout(timeoutCheck);
    timeoutCheck = setTimeout(() => {
      for (const peer of state.peers) if (peer.awaitingPong) peer.ws.terminate();
    }, config.pingTimeoutMs);
    timeoutCheck.unref();
  }, config.pingIntervalMs);
  keepAlive.unref();

  return {
    name: 'ws',
    routes: {},
    upgradePath: '/ws',
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const authorized = isAuthorized(req.headers.authorization, config.secret);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const peer = new WsPeer(ws, state, authorized);
        (ws as PeerSocket)[kPeer] = peer;
        state.peers.add(peer);
        ws.on('message', onMessage);
        ws.on('pong', onPong);
        ws.on('close', onClose);
        ws.on('error', onError);
      });
    },
    stats: () => ({ connections: state.peers.size, subscribers: state.subscribers, delivered: state.delivered }),
    close() {
      clearInterval(keepAlive);
      clearTimeout(timeoutCheck);
      for (const peer of state.peers) peer.ws.close(CLOSE.goingAway, 'server shutting down');
    },
  };
}
