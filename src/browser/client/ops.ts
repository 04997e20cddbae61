/**
 * The JSON control messages that /ws and /engine.io/ share (README,
 * Endpoints): subscribe, unsubscribe and publish out; subscribed, gap,
 * published and error replies and the bare envelopes in. Both transports
 * hand every received text here, so the protocol is written once.
 */
import {
  cursorAheadChannel,
  isEnvelope,
  type Transport,
  type TransportHooks,
  type TransportName,
  type TransportSettings,
} from './types.js';

/** Publishes waiting for their `published` reply; more are refused rather than queued without end. */
export const MAX_PENDING_PUBLISHES = 1000;

interface Pending {
  resolve(seq: number): void;
  reject(error: Error): void;
}

export class OpSession {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(
    private readonly hooks: TransportHooks,
    private readonly send: (text: string) => void,
    private readonly secret: string | undefined,
  ) {}

  subscribe(channel: string, cursor: number | undefined): void {
    this.send(JSON.stringify(cursor === undefined ? { op: 'subscribe', channel } : { op: 'subscribe', channel, cursor }));
  }

  unsubscribe(channel: string): void {
    this.send(JSON.stringify({ op: 'unsubscribe', channel }));
  }

  publish(channel: string, event: string, data: unknown): Promise<number> {
    if (this.#pending.size >= MAX_PENDING_PUBLISHES) {
      return Promise.reject(new Error(`${MAX_PENDING_PUBLISHES} publishes are already waiting for the server`));
    }
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const token = this.secret === undefined ? {} : { token: this.secret };
      this.send(JSON.stringify({ op: 'publish', channel, event, data, id, ...token }));
    });
  }

  /** One text the server sent: an envelope or a reply. */
  receive(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return; // Not ours (an echo server's text): nothing to act on.
    }
    if (isEnvelope(value)) {
      this.hooks.message(value);
      return;
    }
    const reply = value as Record<string, unknown>;
    switch (reply.op) {
      case 'subscribed':
        this.hooks.subscribed(String(reply.channel), Number(reply.seq));
        return;
      case 'gap':
        this.hooks.gap({ channel: String(reply.channel), from: Number(reply.from), to: Number(reply.to) });
        return;
      case 'published':
        this.#settle(reply.id, (pending) => pending.resolve(Number(reply.seq)));
        return;
      case 'error':
        // /engine.io/ answers a refused op so, then ends the session.
        this.refused(String(reply.error), String(reply.code));
        return;
    }
  }

  /** The server refused an op (an error reply, or a /ws close with its reason). */
  refused(message: string, code?: string): void {
    const channel = cursorAheadChannel(message);
    if (channel !== undefined && (code === undefined || code === 'RTB_ERR_CURSOR_AHEAD')) this.hooks.cursorAhead(channel);
    this.failAll(message);
  }

  /** Rejects every publish still waiting: the connection is gone. */
  failAll(reason: string): void {
    for (const pending of this.#pending.values()) pending.reject(new Error(reason));
    this.#pending.clear();
  }

  #settle(id: unknown, settle: (pending: Pending) => void): void {
    const pending = this.#pending.get(Number(id));
    if (!pending) return;
    this.#pending.delete(Number(id));
    settle(pending);
  }
}

/**
 * A transport that carries the JSON ops (/ws, /engine.io/): its subscribe,
 * unsubscribe and publish are its OpSession's. A subclass opens and closes
 * its connection, sends each op's text its own way (sendOp), and hands
 * every text it receives to `ops`.
 */
export abstract class OpsTransport implements Transport {
  abstract readonly name: TransportName;
  protected readonly ops: OpSession;

  constructor(
    protected readonly settings: TransportSettings,
    protected readonly hooks: TransportHooks,
  ) {
    this.ops = new OpSession(hooks, (text) => this.sendOp(text), settings.secret);
  }

  abstract open(): Promise<void>;
  abstract close(): void;
  protected abstract sendOp(text: string): void;

  subscribe(channel: string, cursor: number | undefined): void {
    this.ops.subscribe(channel, cursor);
  }

  unsubscribe(channel: string): void {
    this.ops.unsubscribe(channel);
  }

  publish(channel: string, event: string, data: unknown): Promise<number> {
    return this.ops.publish(channel, event, data);
  }
}
