/**
 * `/socket.io/`: Socket.IO v5 on an Engine.IO session, default namespace
 * only (any other gets CONNECT_ERROR "Invalid namespace"). Events map onto
 * the hub:
 *   emit("subscribe", {channel, cursor?}, ack)   ack({channel, seq: head})
 *   emit("unsubscribe", {channel}, ack)          ack({channel})
 *   emit("publish", {channel, event, data}, ack) ack({seq})
 * and every hub message arrives as event "message" with the envelope; a
 * subscribe whose cursor is older than the history kept first gets event
 * "gap" with {channel, from, to}. A bad
 * request is answered in the ack as {error, code} (or as an "error" event
 * when no ack was asked for). A protocol violation closes the session, as
 * the reference server does, and so does a binary packet whose parts
 * (text and attachments, at most 10 as the official parser allows) come to
 * more than --max-payload bytes. The CONNECT auth payload `{token}` equal to
 * the server secret allows publishing.
 *
 * With --echo every event comes back as the same event (binary attachments
 * as binary), and an ack asked for on any other event gets the arguments.
 */
import { randomBytes } from 'node:crypto';
import { authorizeChannel } from '../channel-auth.js';
import { RequestError } from '../errors.js';
import { MAX_DATA_DEPTH, nestsDeeperThan, tooDeep } from '../encode.js';
import type { Gap, HubMessage } from '../hub.js';
import { isAuthorized } from '../http-util.js';
import { encodeText, SharedPacket } from '../engine-io/protocol.js';
import type { EngineSession } from '../engine-io/session.js';
import { decodeMessage, decoderFor, encodePacket, PacketType, type Decoder, type SioPacket } from '../socket-io/packets.js';
import { gapBody } from '../resume.js';
import { checkChannel, checkCursor } from '../validate.js';
import { ChannelPeer, errorReply, type FallbackState } from './channel-peer.js';

/** How long a session may stay without joining a namespace (the reference server's default). */
export const CONNECT_TIMEOUT_MS = 45_000;

const wireOf = (message: HubMessage) => new SharedPacket(encodeText('message', `2["message",${message.json}]`));

export class SocketIoPeer extends ChannelPeer {
  #connected = false;
  /** The decoder of a binary packet whose attachments are still due. */
  #assembling: Decoder | undefined;
  /** Bytes of that packet so far (its text and the attachments in). */
  #assembledBytes = 0;
  #connectTimer: NodeJS.Timeout | undefined;

  constructor(session: EngineSession, state: FallbackState, authorized: boolean) {
    super(session, state, authorized);
    this.#connectTimer = setTimeout(SocketIoPeer.#onConnectTimeout, CONNECT_TIMEOUT_MS, this);
    this.#connectTimer.unref();
  }

  static #onConnectTimeout(peer: SocketIoPeer): void {
    if (!peer.#connected) peer.session.close('no CONNECT in time');
  }

  protected wire(message: HubMessage): SharedPacket {
    return message.encoded('socket.io', wireOf);
  }

  override onClose(reason: string): void {
    clearTimeout(this.#connectTimer);
    super.onClose(reason);
  }

  onShutdown(): void {
    if (this.#connected) this.#send({ type: PacketType.DISCONNECT });
  }

  protected sendGap(channel: string, gap: Gap): void {
    this.#send({ type: PacketType.EVENT, data: ['gap', gapBody(channel, gap)] });
  }

  onMessage(data: string | Buffer): void {
    let packet: SioPacket | undefined;
    try {
      const decoder = this.#assembling ?? decoderFor(data);
      // Each message is within --max-payload; the parts of one packet together must be too.
      this.#assembledBytes = (this.#assembling ? this.#assembledBytes : 0) + (typeof data === 'string' ? data.length : data.byteLength);
      if (this.#assembledBytes > this.state.context.config.maxPayload) {
        this.#assembling = undefined;
        this.#violation(`binary packet over ${this.state.context.config.maxPayload} bytes`);
        return;
      }
      packet = decodeMessage(decoder, data);
      this.#assembling = packet === undefined ? decoder : undefined;
    } catch (error) {
      this.#violation(`parse error: ${(error as Error).message}`);
      return;
    }
    if (packet) this.#onPacket(packet);
  }

  #onPacket(packet: SioPacket): void {
    if (packet.type === PacketType.CONNECT) {
      if (packet.nsp !== '/') {
        this.#send({ type: PacketType.CONNECT_ERROR, nsp: packet.nsp, data: { message: 'Invalid namespace' } });
        return;
      }
      if (this.#connected) {
        this.#violation('CONNECT to a namespace already joined');
        return;
      }
      this.#connect(packet.data as Record<string, unknown> | undefined);
      return;
    }
    // Anything else must address a namespace this session has joined.
    if (packet.nsp !== '/' || !this.#connected || packet.type === PacketType.CONNECT_ERROR) {
      this.#violation(`packet type ${packet.type} for a namespace not joined`);
      return;
    }
    switch (packet.type) {
      case PacketType.DISCONNECT:
        this.#connected = false;
        this.releaseAll();
        return;
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        // `2` or `21` carry no arguments at all (the parser checks only a payload that is there);
        // the reference server reads that as an empty list, as here.
        this.#onEvent((packet.data as unknown[] | undefined) ?? [], packet.id);
        return;
      default:
        // ACK / BINARY_ACK: this server asks for no acks.
        return;
    }
  }

  #connect(auth: Record<string, unknown> | undefined): void {
    clearTimeout(this.#connectTimer);
    this.#connected = true;
    const { secret } = this.state.context.config;
    if (secret !== undefined && typeof auth?.token === 'string' && isAuthorized(`Bearer ${auth.token}`, secret)) {
      this.authorized = true;
    }
    this.#send({ type: PacketType.CONNECT, data: { sid: randomBytes(15).toString('base64url') } });
  }

  #onEvent(args: unknown[], id: number | undefined): void {
    // Echoes and error answers encode the arguments again: bound their depth first
    // (two levels above data's limit: the arguments array and the options object).
    if (nestsDeeperThan(args, MAX_DATA_DEPTH + 2)) {
      this.#reportError(id, tooDeep('event arguments nest', MAX_DATA_DEPTH + 2));
      return;
    }
    const [name, ...rest] = args;
    const { echo } = this.state.context.config;
    if (echo) this.#send({ type: PacketType.EVENT, data: args });
    const options = rest[0] as Record<string, unknown> | undefined;
    try {
      switch (name) {
        case 'subscribe': {
          const request = objectArgument(options);
          const channel = checkChannel(request.channel);
          const cursor = request.cursor === undefined || request.cursor === null ? undefined : checkCursor(request.cursor);
          // The connection id is the Engine.IO sid (socket.io-client: socket.io.engine.id).
          authorizeChannel(this.state.context.config.secret, this.session.sid, channel, request.token);
          const seq = this.subscribe(channel, cursor);
          this.#ack(id, { channel, seq });
          this.replay(channel, cursor);
          return;
        }
        case 'unsubscribe': {
          const channel = checkChannel(objectArgument(options).channel);
          this.unsubscribe(channel);
          this.#ack(id, { channel });
          return;
        }
        case 'publish':
          this.publish(objectArgument(options)).then(
            (answer) => this.#ack(id, answer),
            (error: unknown) => this.#reportError(id, error),
          );
          return;
        default:
          if (id === undefined) return;
          if (echo) this.#send({ type: PacketType.ACK, id, data: rest });
          else this.#reportError(id, new RequestError(`unknown event ${JSON.stringify(name)}`));
      }
    } catch (error) {
      this.#reportError(id, error);
    }
  }

  #ack(id: number | undefined, answer: unknown): void {
    if (id !== undefined) this.#send({ type: PacketType.ACK, id, data: [answer] });
  }

  #reportError(id: number | undefined, error: unknown): void {
    if (id !== undefined) this.#ack(id, errorReply(error));
    else this.#send({ type: PacketType.EVENT, data: ['error', errorReply(error)] });
  }

  #send(packet: Parameters<typeof encodePacket>[0]): void {
    const { text, attachments } = encodePacket(packet);
    this.session.sendText(text);
    for (const attachment of attachments) this.session.sendBinary(attachment);
  }

  #violation(reason: string): void {
    this.session.close(`socket.io: ${reason}`);
  }
}

function objectArgument(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestError('the first argument must be an object such as {"channel":"news"}');
  }
  return value as Record<string, unknown>;
}
