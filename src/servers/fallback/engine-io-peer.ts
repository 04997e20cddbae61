/**
 * `/engine.io/`: the hub over bare Engine.IO messages, with the raw WebSocket
 * transport's JSON control messages (control-message.ts):
 *   {"op":"subscribe","channel":"C","cursor":N?}  -> {"op":"subscribed","channel":"C","seq":head}
 *   {"op":"unsubscribe","channel":"C"}             -> {"op":"unsubscribed","channel":"C"}
 *   {"op":"publish","channel","event","data","id"?} -> {"op":"published","seq":N,"id"?}
 * Hub messages arrive as the bare envelope in a `4` message packet; a
 * subscribe whose cursor is older than the history kept first gets
 * {"op":"gap","channel","from","to"}. Bad input
 * gets {"op":"error","error","code"} and ends the session. With --echo every
 * message comes back first, text as text and binary as binary.
 */
import { authorizeChannel } from '../channel-auth.js';
import { parseControlMessage, refusedUnder, type ControlMessage } from '../control-message.js';
import { RequestError } from '../errors.js';
import type { Gap, HubMessage } from '../hub.js';
import { gapBody } from '../resume.js';
import { encodeText, SharedPacket } from '../engine-io/protocol.js';
import { ChannelPeer, errorReply } from './channel-peer.js';

const wireOf = (message: HubMessage) => new SharedPacket(encodeText('message', message.json));

export class EngineIoPeer extends ChannelPeer {
  protected wire(message: HubMessage): SharedPacket {
    return message.encoded('engine.io', wireOf);
  }

  protected sendGap(channel: string, gap: Gap): void {
    this.#reply({ op: 'gap', ...gapBody(channel, gap) });
  }

  onMessage(data: string | Buffer): void {
    const { echo } = this.state.context.config;
    if (typeof data !== 'string') {
      if (echo) this.session.sendBinary(data);
      else this.#fail(new RequestError('binary messages are not supported; send JSON text'));
      return;
    }
    if (echo) this.session.sendText(data);
    const parsed = parseControlMessage(data);
    if (!parsed.ok) {
      if (refusedUnder(echo, parsed.fault)) this.#fail(parsed.error);
      return;
    }
    try {
      this.#apply(parsed.message);
    } catch (error) {
      this.#fail(error);
    }
  }

  #apply(message: ControlMessage): void {
    switch (message.op) {
      case 'subscribe': {
        const { channel, cursor } = message;
        authorizeChannel(this.state.context.config.secret, this.session.sid, channel, message.token);
        const seq = this.subscribe(channel, cursor);
        this.#reply({ op: 'subscribed', channel, seq });
        this.replay(channel, cursor);
        return;
      }
      case 'unsubscribe':
        this.unsubscribe(message.channel);
        this.#reply({ op: 'unsubscribed', channel: message.channel });
        return;
      case 'publish':
        this.publish(message.fields).then(
          (answer) => this.#reply({ op: 'published', ...answer, id: message.id }),
          (error: unknown) => this.#fail(error),
        );
        return;
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
