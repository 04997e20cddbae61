/**
 * The agents' meeting point on Redis (ioredis): connections that say which
 * coordinator they could not reach, JSON messages as stream entries, and a
 * reader that follows one stream with blocking XREADs. Runs and agents talk
 * only through streams and a few keys (keys.ts), never a protocol of their own.
 */
import { Redis } from 'ioredis';
import { KEY_TTL_S } from './keys.js';

/** Stream entries kept per stream (XADD MAXLEN ~): a reader that falls this far behind loses messages. */
export const STREAM_MAXLEN = 10_000;
/** How long a blocking read waits before it looks at whether it should stop. */
const BLOCK_MS = 1000;

export class CoordinatorError extends Error {
  readonly code = 'RTB_ERR_COORDINATOR';
}

/**
 * A connection to the coordinator that has answered PING. While the first
 * connect is under way a refusal fails at once (a clear error beats a hang);
 * once connected, a lost connection is retried every 0.2-2 s.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  let connected = false;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => (connected ? Math.min(200 * times, 2000) : null),
  });
  // Errors also reach the commands that fail; without a listener ioredis would print each one.
  // The first connect's own error (ECONNREFUSED ...) says more than the "Connection is closed" it ends with.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    if (!connected) cause ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    connected = true;
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new CoordinatorError(`cannot reach the coordinator ${url}: ${(cause ?? (error as Error)).message}`);
  }
}

/** Appends one message (JSON in field `m`) to a stream, which expires KEY_TTL_S after its last message. */
export async function post(redis: Redis, stream: string, message: unknown): Promise<void> {
  // One connection runs its commands in order: posts arrive in call order.
  await Promise.all([redis.xadd(stream, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'm', JSON.stringify(message)), redis.expire(stream, KEY_TTL_S)]);
}

/**
 * Follows a stream from its start on its own connection (a blocking read
 * holds the connection), handing each message to `onMessage` in order.
 * stop() ends it within BLOCK_MS.
 */
export class StreamReader {
  #stopped = false;
  #lastId = '0';
  readonly done: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly onMessage: (message: unknown) => void,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    this.done = this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      let answer: [string, [string, string[]][]][] | null;
      try {
        answer = await this.redis.xread('COUNT', 500, 'BLOCK', BLOCK_MS, 'STREAMS', this.stream, this.#lastId);
      } catch (error) {
        if (this.#stopped) return;
        this.onError(error as Error);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      for (const [, entries] of answer ?? []) {
        for (const [id, fields] of entries) {
          this.#lastId = id;
          const text = fields[fields.indexOf('m') + 1];
          if (this.#stopped || text === undefined) continue;
          // An entry that is not ours (another writer on the key) is skipped and said, not fatal.
          try {
            this.onMessage(JSON.parse(text));
          } catch (error) {
            this.onError(new Error(`${this.stream} entry ${id}: ${(error as Error).message}`));
          }
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.done;
  }
}
