/**
 * `rtbench serve --redis URL`: nodes on several hosts made one server through
 * Redis. Publishing runs one script per batch (publish-script.ts) that
 * numbers it per channel, keeps it in the channel's history stream and
 * appends it to the fan-out stream; every node tails that stream
 * (fanout-tail.ts) and applies it to its hub, which fans it out. A new node
 * loads the history first (history-load.ts).
 *
 * Two connections (ioredis): one for commands, one that blocks in XREAD.
 * Neither queues commands while disconnected nor resends one that was in
 * flight when the connection dropped: a publish Redis did not confirm
 * fails (503, RTB_ERR_BACKPLANE) rather than being retried into a
 * duplicate, and a 202 always means Redis holds the message.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { type Backplane, type BackplaneHealth, safeUrl } from '../backplane.js';
import type { DeliverBatch, PublishBatch } from '../cluster/publish-batch.js';
import { CLOSE, RequestError } from '../errors.js';
import type { Hub } from '../hub.js';
import { RedisEpoch } from './epoch.js';
import { FanoutTail } from './fanout-tail.js';
import { loadHistory } from './history-load.js';
import { DEFAULT_REDIS_PREFIX, RedisKeys } from './keys.js';
import { PUBLISH_LUA } from './publish-script.js';

/** Entries the fan-out stream keeps (about: trimmed with MAXLEN ~); a node further behind refills from the history streams. */
export const FANOUT_LENGTH = 10_000;
/** How long the first connection may take before serve gives up. */
const CONNECT_TIMEOUT_MS = 5000;
/** Delay between reconnect attempts once running. */
const RECONNECT_MS = 500;

export interface RedisBackplaneOptions {
  url: string;
  /** Key prefix shared by every node of one server (default `rtbench:`). */
  prefix?: string;
  historySize: number;
  historyTtlMs: number;
  fanoutLength?: number;
}

type PublishClient = Redis & {
  rtbPublish(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

export class RedisBackplane implements Backplane {
  readonly keys: RedisKeys;
  readonly #url: string;
  #health: BackplaneHealth;
  readonly #listeners: ((health: BackplaneHealth) => void)[] = [];
  #tail: FanoutTail | undefined;
  #hub: Hub | undefined;
  readonly #epoch: RedisEpoch;
  /** When the tail last logged an error (at most one line per 10 s). */
  #loggedAt = 0;
  #closing = false;

  private constructor(
    readonly options: RedisBackplaneOptions,
    private readonly client: PublishClient,
    private readonly reader: Redis,
  ) {
    this.keys = new RedisKeys(options.prefix ?? DEFAULT_REDIS_PREFIX);
    this.#url = safeUrl(options.url);
    this.#health = { connected: true, url: this.#url };
    this.#epoch = new RedisEpoch(client, this.keys);
    for (const connection of [client, reader]) {
      connection.on('error', (error: Error) => this.#setHealth(false, error.message));
      connection.on('close', () => this.#setHealth(false, 'connection to Redis closed'));
      connection.on('ready', () => {
        if (client.status === 'ready' && reader.status === 'ready') void this.#reconnected();
      });
    }
  }

  /** Connects both connections and checks Redis answers; rejects with a message naming the URL. */
  static async connect(options: RedisBackplaneOptions): Promise<RedisBackplane> {
    let started = false;
    const settings: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // At start a failure is final (serve exits and says why); once running, keep trying.
      retryStrategy: () => (started ? RECONNECT_MS : null),
    };
    const client = new Redis(options.url, settings) as PublishClient;
    const reader = new Redis(options.url, settings);
    const failures: Error[] = [];
    const collect = (error: Error) => failures.push(error);
    client.on('error', collect);
    reader.on('error', collect);
    try {
      await Promise.all([client.connect(), reader.connect()]);
      await client.ping();
    } catch (error) {
      client.disconnect();
      reader.disconnect();
      const reason = (failures[0] ?? (error as Error)).message || String(error);
      throw new Error(`cannot reach Redis at ${safeUrl(options.url)}: ${reason}`);
    } finally {
      client.off('error', collect);
      reader.off('error', collect);
    }
    started = true;
    client.defineCommand('rtbPublish', { lua: PUBLISH_LUA });
    return new RedisBackplane(options, client, reader);
  }

  async start(hub: Hub, onApplied?: (batches: DeliverBatch[]) => void): Promise<void> {
    // The fan-out position before the history: what is published during the load comes again and is skipped by seq.
    this.#hub = hub;
    await this.#epoch.join();
    const last = (await this.client.xrevrange(this.keys.fanout, '+', '-', 'COUNT', 1)) as [string, string[]][];
    await loadHistory(this.client, this.keys, hub, this.options.historyTtlMs);
    // Connection losses reach the health through the connections' events; the tail only says what it could not do.
    this.#tail = new FanoutTail(this.reader, this.keys, hub, last[0]?.[0] ?? '0-0', onApplied, (error) => {
      if (this.#closing || Date.now() - this.#loggedAt < 10_000) return;
      this.#loggedAt = Date.now();
      console.error(`rtbench serve: reading the Redis fan-out stream: ${error.message}`);
    });
    this.#tail.start();
  }

  async publish(batches: PublishBatch[]): Promise<number[]> {
    if (!this.#health.connected) throw this.#unreachable(this.#health.error);
    const { historySize, historyTtlMs, fanoutLength = FANOUT_LENGTH } = this.options;
    try {
      const answers = await Promise.all(
        batches.map(({ event, ts, dataJson, channels }) => {
          const keys = [this.keys.fanout];
          for (const channel of channels) keys.push(this.keys.seq(channel), this.keys.history(channel));
          const args = [historySize, historyTtlMs, fanoutLength, event, String(ts), dataJson, ...channels];
          return this.client.rtbPublish(keys.length, ...keys, ...args);
        }),
      );
      return answers.flat();
    } catch (error) {
      throw this.#unreachable((error as Error).message);
    }
  }

  health(): BackplaneHealth {
    return { ...this.#health };
  }

  onHealth(listener: (health: BackplaneHealth) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.reader.disconnect();
    await this.#tail?.stop();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Both connections are back: publishes resume once Redis is known to hold the seqs (epoch.ts). */
  async #reconnected(): Promise<void> {
    try {
      if (this.#hub && !(await this.#epoch.check(this.#hub))) {
        console.error(`rtbench serve: Redis (${this.#url}) came back without its data; its seq counters were set from this node's heads`);
      }
      this.#setHealth(true);
    } catch (error) {
      this.#setHealth(false, (error as Error).message);
    }
  }

  #unreachable(reason: string | undefined): RequestError {
    const message = `the message was not published: Redis (${this.#url}) did not take it${reason ? `: ${reason}` : ''}`;
    return new RequestError(message, 503, CLOSE.internalError, 'RTB_ERR_BACKPLANE');
  }

  #setHealth(connected: boolean, error?: string): void {
    if (this.#closing) return;
    if (connected === this.#health.connected && error === this.#health.error) return;
    this.#health = connected ? { connected, url: this.#url } : { connected, url: this.#url, error };
    for (const listener of this.#listeners) listener(this.health());
  }
}
