/**
 * --target-hosts and its automatic form, with real sockets: a target that
 * listens on 0.0.0.0 gets its clients spread over 127.0.0.1-127.0.0.8 (the
 * server sees connections on each of those local addresses), one that
 * listens on 127.0.0.1 only keeps them on 127.0.0.1, a named address that
 * refuses fails the run at once, and a bad list is a CLI error naming the option.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator } from '../../dist/harness/orchestrator.js';
import { chooseTargetHosts, parseTargetHosts, wildcardListener } from '../../src/harness/target-hosts.js';
import { parseScenario } from '../../src/scenarios/schema.js';
import { createApp, listen } from '../../src/servers/app.js';
import { runCli } from '../../src/cli/program.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The rtbench server on `host`, port 0, and the local addresses its WebSocket upgrades arrived on (the clients', not the probes'). */
async function serverOn(host: string) {
  const app = createApp({ config: { host, port: 0 } });
  const localAddresses = new Set<string>();
  app.server.on('upgrade', (request: IncomingMessage) => localAddresses.add(request.socket.localAddress ?? ''));
  const port = await listen(app);
  stops.push(() => app.close());
  return { port, url: new URL(`http://127.0.0.1:${port}`), localAddresses };
}

describe('parseTargetHosts', () => {
  it('expands a range and a comma list', () => {
    expect(parseTargetHosts('127.0.0.1-127.0.0.4')).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(parseTargetHosts('127.0.0.9, 127.0.0.1-127.0.0.2,::1')).toEqual(['127.0.0.9', '127.0.0.1', '127.0.0.2', '::1']);
  });

  it.each([
    ['127.0.0.1-127.0.1.8', /only the last part/],
    ['127.0.0.8-127.0.0.1', /ends before it starts/],
    ['127.0.0.1-127.0.0.40', /40 addresses; at most 32/],
    ['localhost', /not an IP address/],
    ['127.0.0.1,,127.0.0.2', /an item is empty/],
    ['127.0.0.1,127.0.0.1', /named twice/],
    ['127.0.0.1-', /not a range/],
  ])('refuses %s', (value, message) => {
    expect(() => parseTargetHosts(value)).toThrow(message);
  });
});

describe('rtbench run --target-hosts', () => {
  /** The CLI in this process (runCli, as the bin entry calls it), with what it writes to stderr. */
  async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const error = vi.spyOn(console, 'error').mockImplementation((...parts) => void written.push(parts.join(' ')));
    try {
      return { code: await runCli(args), stderr: written.join('') };
    } finally {
      write.mockRestore();
      error.mockRestore();
    }
  }

  it('names the option when the list is bad or there is no --target', async () => {
    const bad = await cli(['run', '--target', 'http://127.0.0.1:1', '--target-hosts', '127.0.0.1-127.0.1.2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--target-hosts <list>' argument '127.0.0.1-127.0.1.2' is invalid.*only the last part/);
    const alone = await cli(['run', '--target-hosts', '127.0.0.1-127.0.0.2']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/'--target-hosts <list>' needs --target/);
  });
});

describe('choosing the addresses of a loopback --target', () => {
  it('spreads over 127.0.0.1-127.0.0.8 when the target listens on 0.0.0.0', async () => {
    const server = await serverOn('0.0.0.0');
    expect(await wildcardListener(server.port)).toBe(true);
    const choice = await chooseTargetHosts(server.url, undefined, 8);
    expect(choice.hosts).toEqual(Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`));
    expect(choice.reason).toMatch(/listens on all addresses \(a wildcard listener in \/proc\/net\/tcp and a probe of 127.0.0.2\)/);
  });

  it('keeps 127.0.0.1 when the target listens there only', async () => {
    const server = await serverOn('127.0.0.1');
    expect(await wildcardListener(server.port)).toBe(false);
    const choice = await chooseTargetHosts(server.url, undefined, 8);
    expect(choice.hosts).toEqual(['127.0.0.1']);
    expect(choice.reason).toMatch(/nothing listens on 0.0.0.0 or :: at port/);
  });

  it('fails fast when a named address refuses connections', async () => {
    const server = await serverOn('127.0.0.1');
    const choice = await chooseTargetHosts(server.url, ['127.0.0.1', '127.0.0.2'], 8);
    expect(choice.problem).toMatch(new RegExp(`--target-hosts 127.0.0.2:${server.port} does not accept connections: .*ECONNREFUSED`));
  });
});

describe('a run against a --target', () => {
  const scenario = parseScenario(
    {
      name: 'hosts',
      transports: ['ws'],
      clients: 16,
      channels: 2,
      rate: 5,
      payloadBytes: 8,
      durationMs: 500,
      rampPerSec: 1000,
      drainMs: 500,
    },
    'test',
  );

  it('connects its clients on every address of the automatic spread', async () => {
    const server = await serverOn('0.0.0.0');
    const result = await new Orchestrator(scenario, { target: server.url.origin }).run();
    expect(result.status).toBe('ok');
    expect(result.transports.ws!.updates).toMatchObject({ lost: 0, delivered: result.transports.ws!.updates.expected });
    expect(result.events?.find((e) => e.kind === 'target-hosts')?.message).toMatch(/spread over 127.0.0.1-127.0.0.8/);
    for (let i = 1; i <= 8; i++) expect(server.localAddresses).toContain(`127.0.0.${i}`);
  }, 30_000);

  it('uses the --target-hosts it is given, and a refused one makes the run invalid', async () => {
    const server = await serverOn('0.0.0.0');
    const given = await new Orchestrator(scenario, { target: server.url.origin, targetHosts: ['127.0.0.3', '127.0.0.5'] }).run();
    expect(given.status).toBe('ok');
    expect([...server.localAddresses].sort()).toEqual(['127.0.0.3', '127.0.0.5']);
    const only = await serverOn('127.0.0.1');
    const refused = await new Orchestrator(scenario, { target: only.url.origin, targetHosts: ['127.0.0.1', '127.0.0.4'] }).run();
    expect(refused.status).toBe('invalid');
    expect(refused.problems?.join('\n')).toMatch(/ws: the target did not answer \(--target-hosts 127.0.0.4:\d+ does not accept/);
  }, 30_000);
});
