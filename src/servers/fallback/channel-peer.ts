/**
 * What an Engine.IO session holds on the hub, whichever protocol rides on it:
 * its subscriptions with the last seq sent on each, delivery of hub messages
 * as one shared packet per message and wire format, and publishing.
 *
 * Subscriptions and their cursors are a ChannelCursors, as for /ws.
 */
import { RequestError } from '../errors.js';
import { ChannelCursors } from '../channel-cursors.js';
import type { Gap, HubMessage } from '../hub.js';
import { publishFromConnection } from '../publish.js';
import { checkCursorReachable, resume } from '../resume.js';
import type { SharedPacket } from '../engine-io/protocol.js';
import type { EngineSession, SessionPeer } from '../engine-io/session.js';
import type { ServerContext } from '../transport.js';

export interface FallbackState {
  context: ServerContext;
  /** Channel subscriptions held right now. */
  subscribers: number;
  /** Hub messages handed to sessions since start. */
  delivered: number;
}

export abstract class ChannelPeer extends ChannelCursors implements SessionPeer {
  constructor(
    readonly session: EngineSession,
    readonly state: FallbackState,
    protected authorized: boolean,
  ) {
    super();
  }

  /** The message as this protocol's packet, built once per message (HubMessage.encoded). */
  protected abstract wire(message: HubMessage): SharedPacket;

  abstract onMessage(data: string | Buffer): void;

  /** Tells the client that the messages `gap.from`..`gap.to` of `channel` are no longer kept. */
  protected abstract sendGap(channel: string, gap: Gap): void;

  onClose(_reason: string): void {
    this.releaseAll();
  }

  deliver(message: HubMessage): void {
    const cursor = this.cursorOf(message.channel);
    if (cursor === undefined || message.seq <= cursor) return;
    this.setCursor(message.channel, message.seq);
    this.state.delivered++;
    this.session.send(this.wire(message));
  }

  /**
   * Subscribes (or moves the cursor of an existing subscription) and returns
   * the channel's head. The caller answers, then calls `replay`. Throws
   * RTB_ERR_CURSOR_AHEAD and RTB_ERR_TOO_MANY_SUBSCRIPTIONS.
   */
  protected subscribe(channel: string, cursor: number | undefined): number {
    const { context } = this.state;
    if (cursor !== undefined) checkCursorReachable(context, channel, cursor);
    const { head, added } = this.join(context.hub, channel, cursor, context.config.maxSubscriptions);
    if (added) this.state.subscribers++;
    return head;
  }

  /** Sends the gap, if messages after `cursor` are gone, then the retained messages after it. */
  protected replay(channel: string, cursor: number | undefined): void {
    if (cursor === undefined) return;
    const { gap, messages } = resume(this.state.context.hub, channel, cursor);
    if (gap) this.sendGap(channel, gap);
    for (const message of messages) this.deliver(message);
  }

  protected unsubscribe(channel: string): void {
    if (this.leave(this.state.context.hub, channel)) this.state.subscribers--;
  }

  /** Publishes `{channel, event, data, token?}`; resolves with `{seq}` or `{seqs}`. */
  protected publish(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { bus, config } = this.state.context;
    return publishFromConnection(bus, config.secret, this.authorized, request);
  }

  protected releaseAll(): void {
    const { hub } = this.state.context;
    this.state.subscribers -= this.unsubscribeAll(hub);
  }
}

/** An error as the peers report it to clients. */
export function errorReply(error: unknown): { error: string; code: string } {
  if (error instanceof RequestError) return { error: error.message, code: error.code };
  return { error: 'internal error', code: 'RTB_ERR_INTERNAL' };
}
