/**
 * Long polling, `GET /long-poll?channel=C&cursor=N[&timeout=ms]`: answers at
 * once when there are messages after the cursor, otherwise holds the request
 * until one arrives or the timeout passes. Nothing published between two polls
 * is lost: the next poll's cursor asks for it from the history.
 */
import type { ServerResponse } from 'node:http';
import type { Hub, HubMessage, Subscriber } from '../hub.js';
import { getRoute, queryOf } from '../http-util.js';
import { checkCursors, type Collected, collectMessages, hasNews, pollBody, sendPoll } from './poll-body.js';
import type { ServerContext, ServerTransport } from '../transport.js';
import type { GzipConfig } from './gzip-body.js';
import { checkTimeout, parseSubscriptions, type Subscription } from '../validate.js';

interface LongPollState {
  hub: Hub;
  gzip: GzipConfig | undefined;
  held: Set<HeldPoll>;
  subscribers: number;
  delivered: number;
}

class HeldPoll implements Subscriber {
  #done = false;
  #scheduled = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly state: LongPollState,
    private readonly res: ServerResponse,
    private readonly subscriptions: Subscription[],
    timeoutMs: number,
  ) {
    this.#timer = setTimeout(() => this.answer(), timeoutMs);
    for (const { channel } of subscriptions) state.hub.subscribe(channel, this);
    state.held.add(this);
    state.subscribers += subscriptions.length;
    res.once('close', () => this.#release());
  }

  deliver(_message: HubMessage): void {
    // Answer on the next tick so messages published together (one publish
    // call to several channels, a burst from the cluster primary) share a
    // response; the cursor logic makes the batching invisible otherwise.
    if (this.#scheduled || this.#done) return;
    this.#scheduled = true;
    process.nextTick(() => this.#answerIfNews());
  }

  /**
   * A message at or below a cursor is no news: under --workers a cursor may
   * be a little ahead of this worker's head (resume.ts), and such a poll
   * waits on until what it asked for arrives or the timeout passes.
   */
  #answerIfNews(): void {
    this.#scheduled = false;
    if (this.#done) return;
    const collected = collectMessages(this.state.hub, this.subscriptions);
    if (!hasNews(collected)) return;
    this.#release();
    answer(this.state, this.res, this.subscriptions, collected);
  }

  answer(): void {
    if (this.#done) return;
    this.#release();
    answer(this.state, this.res, this.subscriptions, collectMessages(this.state.hub, this.subscriptions));
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    for (const { channel } of this.subscriptions) this.state.hub.unsubscribe(channel, this);
    this.state.held.delete(this);
    this.state.subscribers -= this.subscriptions.length;
  }
}

function answer(state: LongPollState, res: ServerResponse, subscriptions: Subscription[], collected: Collected): void {
  state.delivered += collected.messages.length;
  sendPoll(res, pollBody(subscriptions, collected), state.gzip);
}

export function longPollTransport(context: ServerContext): ServerTransport {
  const { hub, config } = context;
  const state: LongPollState = { hub, gzip: config.gzip, held: new Set(), subscribers: 0, delivered: 0 };
  return {
    name: 'long-poll',
    routes: {
      '/long-poll': getRoute((req, res) => {
        const query = queryOf(req.url);
        const subscriptions = parseSubscriptions(query, { cursorRequired: true, maxChannels: config.maxSubscriptions });
        const timeoutMs = checkTimeout(query.get('timeout'), config.longPollTimeoutMs);
        checkCursors(context, subscriptions);
        // A gap is news too: the client hears of it at once, not after the timeout.
        const ready = collectMessages(hub, subscriptions);
        if (hasNews(ready)) answer(state, res, subscriptions, ready);
        else new HeldPoll(state, res, subscriptions, timeoutMs);
      }),
    },
    stats: () => ({ connections: state.held.size, subscribers: state.subscribers, delivered: state.delivered }),
    close: () => {
      for (const poll of [...state.held]) poll.answer();
    },
  };
}
