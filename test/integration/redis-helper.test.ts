/**
 * The test helper that starts a real redis-server: it answers PING on the
 * port it reports, keeps nothing on disk, and is gone after stop().
 */
import { describe, expect, it } from 'vitest';
import { ping, startRedis } from '../helpers/redis-server.js';

describe('redis-server test helper', () => {
  it('starts redis-server on a free loopback port without persistence, and stops it', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await ping(redis.host, redis.port)).toBe(true);
      const second = await startRedis();
      try {
        expect(second.port).not.toBe(redis.port);
        expect(await ping(second.host, second.port)).toBe(true);
      } finally {
        await second.stop();
      }
    } finally {
      await redis.stop();
    }
    expect(redis.child.exitCode !== null || redis.child.signalCode !== null).toBe(true);
    expect(await ping(redis.host, redis.port, 300)).toBe(false);
    await redis.stop(); // a second stop is harmless
  });

  it('fails with redis-server output when the server cannot start', async () => {
    await expect(startRedis({ args: ['--no-such-option', 'x'], timeoutMs: 3000 })).rejects.toThrow(
      /did not answer PING \(it exited\)[\s\S]*no-such-option/,
    );
  });
});
