/**
 * `/engine.io/`: the hub over bare Engine.IO messages, with the raw WebSocket
 * transport's JSON control messages (see websocket.ts):
 *   {"op":"subscribe","channel":"C","cursor":N?}  -> {"op":"subscribed","channel":"C","seq":head}
 *   {"op":"unsubscribe","channel":"C"}             -> {"op":"unsubscribed","channel":"C"}
 *   {"op":"publish","channel","event","data","id"?} -> {"op":"published","seq":N,"id"?}
 * Hub messages arrive as the bare envelope in a `4` message packet. Bad input
 * gets {"op":"error","error","code"} and ends the session. With --echo every
 * message comes back first, text as text and binary as binary.
 */
import { RequestError } from '../errors.js';
import type { HubMessage } from '../hub.js';
import { encodeText, SharedPacket } from '../engine-io/protocol.js';
import { checkChannel, checkCursor } from '../validate.js';
import { ChannelPeer, errorReply } from './channel-peer.js';

const wireOf = (message: HubMessage) => new SharedPacket(encodeText('message', message.json));

export class EngineIoPeer extends ChannelPeer {
  protected wire(message: HubMessage): SharedPacket {
    return message.encoded('engine.io', wireOf);
  }

  onMessage(data: string | Buffer): void {
    const { echo } = this.state.context.config;
    if (typeof data !== 'string') {
      if (echo) this.session.sendBinary(data);
      else this.#fail(new RequestError('binary messages are not supported; send JSON text'));
      return;
    }
    if (echo) this.session.sendText(data);
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      if (!echo) this.#fail(new RequestError('message is not valid JSON', 400, 1007, 'RTB_ERR_BAD_JSON'));
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      if (!echo) this.#fail(new RequestError('message must be a JSON object with an op'));
      return;
    }
    this.#control(message as Record<string, unknown>, echo);
  }

  #control(request: Record<string, unknown>, echo: boolean): void {
    try {
      switch (request.op) {
        case 'subscribe': {
          const channel = checkChannel(request.channel);
          const cursor = request.cursor === undefined ? undefined : checkCursor(request.cursor);
          const seq = this.subscribe(channel, cursor);
          this.#reply({ op: 'subscribed', channel, seq });
          this.replay(channel, cursor);
          return;
        }
        case 'unsubscribe': {
          const channel = checkChannel(request.channel);
          this.unsubscribe(channel);
          this.#reply({ op: 'unsubscribed', channel });
          return;
        }
        case 'publish':
          this.publish(request).then(
            (answer) => this.#reply({ op: 'published', ...answer, id: request.id }),
            (error: unknown) => this.#fail(error),
          );
          return;
        default:
          if (!echo) throw new RequestError(`unknown op ${JSON.stringify(request.op)}`);
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #reply(body: unknown): void {
    this.session.sendText(JSON.stringify(body));
  }

  #fail(error: unknown): void {
    this.#reply({ op: 'error', ...errorReply(error) });
    this.session.end('bad request');
  }
}
