/**
 * HTTP long-polling for one Engine.IO session, kept apart from the session
 * as the reference server keeps its transports: the queue of packets waiting
 * for the next GET, the GET held until there is something to send, and the
 * POSTs that carry the client's packets. The session decides what a poll
 * gets beyond the queue: a noop during an upgrade, a close packet at the end.
 *
 * The poll's close listener and the flush are static methods that find
 * their transport through a symbol or an argument: no closure per poll.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodePayload, type Packet } from 'engine.io-parser';
import { sendText, sendTooLarge } from '../http-util.js';
import {
  ENGINE_ERRORS,
  encodeText,
  MAX_BACKLOG_BYTES,
  pollingTextOf,
  SEPARATOR,
  sendEngineError,
  SharedPacket,
  sizeOf,
  type OutPacket,
} from './protocol.js';

/** What the polling transport needs from its session. */
export interface PollingSession {
  readonly state: 'open' | 'closing' | 'closed';
  readonly host: { readonly options: { readonly maxPayload: number } };
  /** A GET is now held: the session answers it at once, or leaves it for the queue. */
  onPollHeld(): void;
  onPacket(packet: Packet): void;
  close(reason: string): void;
}

const NOOP = encodeText('noop');
const kPolling = Symbol('rtbench.polling');
type TaggedResponse = ServerResponse & { [kPolling]?: PollingTransport };

export class PollingTransport {
  #poll: ServerResponse | undefined;
  #posting = false;
  #queue: OutPacket[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;

  constructor(private readonly session: PollingSession) {}

  /** Whether a GET is held. */
  get holding(): boolean {
    return this.#poll !== undefined;
  }

  get queued(): number {
    return this.#queue.length;
  }

  enqueue(packet: OutPacket): void {
    this.#queue.push(packet);
    this.#queuedBytes += sizeOf(packet);
    if (this.#queuedBytes > MAX_BACKLOG_BYTES) {
      this.session.close('backlog overflow');
      return;
    }
    // Packets queued in the same tick (a burst from the cluster primary, an
    // ack and the messages it releases) leave in one payload.
    if (this.#poll && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(PollingTransport.#flushTick, this);
    }
  }

  static #flushTick(polling: PollingTransport): void {
    polling.#flushScheduled = false;
    if (polling.#queue.length > 0) polling.answer();
  }

  /** Empties the queue and returns what was in it (an upgrade moves it onto the WebSocket). */
  take(): OutPacket[] {
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    return queue;
  }

  /** Answers the held GET, if any, with everything queued, plus `tail` if given. */
  answer(tail?: string): void {
    const res = this.#poll;
    if (!res) return;
    this.#poll = undefined;
    const queue = this.take();
    let body: string | Buffer;
    if (tail === undefined && queue.length === 1 && queue[0] instanceof SharedPacket) {
      // One hub message: its bytes are shared by every poll that carries it.
      body = queue[0].utf8;
    } else {
      let text = '';
      for (let i = 0; i < queue.length; i++) text += (i === 0 ? '' : SEPARATOR) + pollingTextOf(queue[i]!);
      if (tail !== undefined) text += (text === '' ? '' : SEPARATOR) + tail;
      body = text;
    }
    sendText(res, 200, 'text/plain; charset=UTF-8', body);
  }

  /** Answers the held GET, if any, with what is queued or else a noop, so the client moves on. */
  release(): void {
    this.answer(this.#queue.length > 0 ? undefined : NOOP);
  }

  /** A GET: held until there is something to send. */
  onPollRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#poll) {
      // A second concurrent poll breaks ordering: refuse it and end the session.
      this.#refuse(req, res, 'poll overlap');
      return;
    }
    this.#poll = res;
    (res as TaggedResponse)[kPolling] = this;
    res.once('close', PollingTransport.#onPollClosed);
    this.session.onPollHeld();
  }

  static #onPollClosed(this: TaggedResponse): void {
    const polling = this[kPolling]!;
    this[kPolling] = undefined;
    // Answered polls are no longer held; a held one closing means the client went away.
    if (polling.#poll === this) {
      polling.#poll = undefined;
      polling.session.close('poll connection closed prematurely');
    }
  }

  /** A POST: one payload of packets from the client. */
  onDataRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#posting) {
      this.#refuse(req, res, 'data request overlap');
      return;
    }
    if (req.headers['content-type'] === 'application/octet-stream') {
      // Protocol v4 carries binary as base64 text on polling.
      this.#refuse(req, res, 'binary payload on polling');
      return;
    }
    const limit = this.session.host.options.maxPayload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      this.#refuseTooLarge(res);
      return;
    }
    this.#readPayload(req, res, limit);
  }

  #readPayload(req: IncomingMessage, res: ServerResponse, limit: number): void {
    this.#posting = true;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        this.#posting = false;
        this.#refuseTooLarge(res);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (refused) return;
      this.#posting = false;
      this.#onPayload(Buffer.concat(chunks, size).toString('utf8'), res);
    });
    req.once('close', () => {
      if (!req.complete && !refused) {
        this.#posting = false;
        this.session.close('data request connection closed prematurely');
      }
    });
  }

  #onPayload(payload: string, res: ServerResponse): void {
    const { session } = this;
    if (session.state === 'open') {
      for (const packet of decodePayload(payload)) {
        if (packet.type === 'error') {
          sendEngineError(res, ENGINE_ERRORS.badRequest);
          session.close('parse error');
          return;
        }
        session.onPacket(packet);
        if (session.state !== 'open') break;
      }
    }
    // text/html, as the reference server answers, so byte counts compare.
    sendText(res, 200, 'text/html', 'ok');
  }

  #refuse(req: IncomingMessage, res: ServerResponse, reason: string): void {
    req.resume();
    sendEngineError(res, ENGINE_ERRORS.badRequest);
    this.session.close(reason);
  }

  #refuseTooLarge(res: ServerResponse): void {
    sendTooLarge(res);
    this.session.close('payload too large');
  }
}
