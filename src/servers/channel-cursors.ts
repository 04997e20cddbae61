/**
 * The channels a persistent subscriber (a WebSocket peer, a fallback
 * session) listens to, with the last seq sent on each. A subscription skips
 * seq <= cursor, so resuming from a cursor and live delivery never send a
 * message twice.
 *
 * Most subscribers hold one channel, kept in two fields; a Map is made only
 * for a second channel. It is a base class rather than a member object so
 * that an idle connection carries no extra object: heap per idle WebSocket
 * connection is a 3 KB target at 100,000 connections.
 */
import type { Hub, HubMessage, Subscriber } from './hub.js';
import { tooManySubscriptions } from './validate.js';

export abstract class ChannelCursors implements Subscriber {
  #channel: string | undefined;
  #cursor = 0;
  #more: Map<string, number> | undefined;

  abstract deliver(message: HubMessage): void;

  get channelCount(): number {
    return (this.#channel === undefined ? 0 : 1) + (this.#more?.size ?? 0);
  }

  /** The last seq sent on `channel`, or undefined when not subscribed. */
  protected cursorOf(channel: string): number | undefined {
    return channel === this.#channel ? this.#cursor : this.#more?.get(channel);
  }

  protected setCursor(channel: string, seq: number): void {
    if (this.#channel === undefined || channel === this.#channel) {
      this.#channel = channel;
      this.#cursor = seq;
    } else {
      this.#more ??= new Map();
      this.#more.set(channel, seq);
    }
  }

  /** Drops one channel; false when it was not subscribed. */
  protected forget(channel: string): boolean {
    if (channel === this.#channel) {
      this.#channel = undefined;
      // Promote one of the others so the one-channel fast path keeps working.
      const next = this.#more?.entries().next();
      if (next && !next.done) {
        this.#more!.delete(next.value[0]);
        [this.#channel, this.#cursor] = next.value;
      }
      return true;
    }
    return this.#more?.delete(channel) ?? false;
  }

  /**
   * Subscribes to `channel` on `hub`, or moves the cursor of the existing
   * subscription, starting after `cursor` (from the head when undefined).
   * `added` tells whether the subscription is new. A new one past `limit`
   * subscriptions throws RTB_ERR_TOO_MANY_SUBSCRIPTIONS.
   */
  protected join(hub: Hub, channel: string, cursor: number | undefined, limit: number): { head: number; added: boolean } {
    const added = this.cursorOf(channel) === undefined;
    if (added && this.channelCount >= limit) throw tooManySubscriptions(limit);
    if (added) hub.subscribe(channel, this);
    const head = hub.head(channel);
    this.setCursor(channel, cursor ?? head);
    return { head, added };
  }

  /** Unsubscribes from `channel`; false when it was not subscribed. */
  protected leave(hub: Hub, channel: string): boolean {
    if (!this.forget(channel)) return false;
    hub.unsubscribe(channel, this);
    return true;
  }

  /** Leaves every channel on `hub`; returns how many there were. */
  protected unsubscribeAll(hub: Hub): number {
    const count = this.channelCount;
    if (this.#channel !== undefined) hub.unsubscribe(this.#channel, this);
    for (const channel of this.#more?.keys() ?? []) hub.unsubscribe(channel, this);
    this.#channel = undefined;
    this.#more = undefined;
    return count;
  }
}
