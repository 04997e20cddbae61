/**
 * `serve --redis URL`: the backplane of a server made of several nodes. The
 * Redis code is imported only here and only when --redis is given, so a
 * server without it loads none of it.
 */
import { InvalidArgumentError } from 'commander';
import type { Backplane } from '../servers/backplane.js';
import type { ServerConfig } from '../servers/config.js';

export interface BackplaneOptions {
  redis?: string;
  redisPrefix: string;
}

/** `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS). */
export function redisUrlOption(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as redis://10.0.0.5:6379.');
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new InvalidArgumentError('expected a URL such as redis://10.0.0.5:6379 (redis:// or rediss://, with a host).');
  }
  return value;
}

/** A key prefix: 1-64 printable characters without spaces. */
export function redisPrefixOption(value: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(value)) throw new InvalidArgumentError('expected 1-64 printable characters without spaces.');
  return value;
}

/** Connects to Redis; undefined without --redis. Throws an Error whose message says which URL failed and why. */
export async function connectBackplane(options: BackplaneOptions, config: Partial<ServerConfig>): Promise<Backplane | undefined> {
  if (options.redis === undefined) return undefined;
  const { RedisBackplane } = await import('../servers/redis/redis-backplane.js');
  return RedisBackplane.connect({
    url: options.redis,
    prefix: options.redisPrefix,
    historySize: config.historySize!,
    historyTtlMs: config.historyTtlMs!,
  });
}
