/**
 * The short-poll capacity run measures the poll endpoint's ceiling with
 * autocannon: against a real server on port 0 for about a second, with the
 * scenario's header profile, and the figures reach the capacity result, the
 * reports and the summary. Timing values are the machine's; what is checked
 * is the wiring: the requests autocannon sent, the fields, the rows, and a
 * ceiling that cannot be measured making the run's events say so.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../dist/harness/orchestrator.js';
import { formatSummary } from '../../src/cli/run-summary.js';
import { profileHeaders } from '../../src/clients/header-profiles.js';
import { AUTOCANNON_VERSION, pollCeilingOf, pollCeilingOnTarget, pollCeilingProblem } from '../../src/harness/poll-ceiling.js';
import { RunEvents } from '../../src/harness/run-events.js';
import { runProblems } from '../../src/harness/verdict.js';
import { RENDERERS } from '../../src/report/render.js';
import { parseRunResult } from '../../src/result/schema.js';
import { parseScenario } from '../../src/scenarios/schema.js';
import { createApp, listen } from '../../src/servers/app.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const scenario = parseScenario(
  {
    name: 'ceiling',
    kind: 'capacity',
    transports: ['short-poll'],
    clients: 10,
    capacitySteps: [10],
    channels: 2,
    rate: 2,
    payloadBytes: 8,
    durationMs: 500,
    rampPerSec: 1000,
    drainMs: 500,
    pollIntervalMs: 200,
    headers: 'browser',
    pollCeilingMs: 1000,
    pollCeilingConnections: 4,
  },
  'test',
);

describe('rtbench run capacity --transports short-poll', () => {
  it("measures the poll ceiling with autocannon, with the profile's headers, into the capacity result and every report", async () => {
    const app = createApp({ config: { host: '127.0.0.1', port: 0 } });
    let first: string[] | undefined;
    app.server.on('request', (request: IncomingMessage) => {
      if (!first && request.url?.startsWith('/poll') && request.headers['sec-ch-ua']) first = request.rawHeaders;
    });
    const port = await listen(app);
    stops.push(() => app.close());

    const result = parseRunResult(await new Orchestrator(scenario, { target: `http://127.0.0.1:${port}` }).run(), 'the run');
    expect(result.status).toBe('ok');
    const capacity = result.capacity!['short-poll']!;
    const ceiling = capacity.poll_ceiling!;
    expect(ceiling).toMatchObject({
      tool: 'autocannon',
      version: AUTOCANNON_VERSION,
      path: '/poll?channel=ch0&cursor=0',
      headers: 'browser',
      connections: 4,
      errors: 0,
      non_2xx: 0,
      poll_interval_ms: 200,
    });
    expect(ceiling.polls).toBeGreaterThan(0);
    expect(Math.abs(ceiling.clients_at_interval - ceiling.polls_per_s * 0.2)).toBeLessThan(1);
    // The fleet's polls and autocannon's carry the same headers; autocannon writes Connection itself.
    const expected = [
      ['Host', `127.0.0.1:${port}`],
      ['Connection', 'keep-alive'],
      ...profileHeaders('browser').filter(([n]) => n !== 'Connection'),
    ];
    expect(first).toEqual(expected.flat());

    const row = [
      'short-poll',
      ceiling.polls_per_s,
      ceiling.p50_ms,
      ceiling.p99_ms,
      4,
      200,
      ceiling.clients_at_interval,
      capacity.max_clients,
    ]
      .map((v) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 1 }) : v))
      .join(' | ');
    expect(RENDERERS.md(result)).toContain(
      `| autocannon polls/s | p50 ms | p99 ms | connections | poll interval ms | clients at that interval | open-model max clients |`,
    );
    expect(RENDERERS.md(result)).toContain(`| ${row} |`);
    expect(RENDERERS.html(result)).toContain('<th>autocannon polls/s</th>');
    expect(formatSummary(result)).toContain('Short-poll ceiling (autocannon)');
    expect(result.events?.find((e) => e.kind === 'poll-ceiling')?.message).toContain(`${ceiling.polls_per_s} polls/s`);
  }, 30_000);

  it('a poll endpoint that answers 404 is an event that makes the run invalid, not a ceiling of 0', async () => {
    const server = http.createServer((request, response) => {
      response.writeHead(request.url === '/healthz' ? 200 : 404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => server.close(() => resolve())));
    const events = new RunEvents();
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ceiling = await pollCeilingOnTarget({ scenario, options: { target }, events, transport: 'short-poll' });
    expect(ceiling).toBeUndefined();
    const failed = events.list.find((e) => e.kind === 'poll-ceiling-failed');
    expect(failed?.message).toMatch(/autocannon could not measure the poll ceiling: GET \/poll answered 404/);
    const problems = runProblems(
      { schema: 'rtbench.run/1', scenario: 'x', machine: {}, config: {}, transports: {}, gates: [], events: events.list },
      'capacity',
    );
    expect(problems).toEqual([expect.stringMatching(/^short-poll: autocannon's poll ceiling could not be measured/)]);
  });
});

describe('with --adapter', () => {
  it('says the ceiling is not measured instead of polling a /poll the app does not have', async () => {
    const events = new RunEvents();
    const options = { target: 'http://127.0.0.1:1', adapter: { adapter: { publish: {} }, module: 'x.mjs', name: 'x' } };
    expect(await pollCeilingOnTarget({ scenario, options, events, transport: 'short-poll' })).toBeUndefined();
    expect(events.list.map((e) => e.kind)).toEqual(['poll-ceiling-skipped']);
  });
});

describe('pollCeilingOf', () => {
  const settings = {
    baseUrl: 'http://x',
    channel: 'ch0',
    headers: 'minimal' as const,
    connections: 10,
    durationMs: 2000,
    pollIntervalMs: 1000,
  };
  const result = (over: Record<string, number>) =>
    ({ duration: 2, errors: 0, non2xx: 0, '2xx': 0, '3xx': 0, latency: { p50: 1, p99: 7, max: 9 }, ...over }) as never;

  it('counts 200s and 304s as polls, and the clients one interval serves', () => {
    const ceiling = pollCeilingOf(result({ '2xx': 25_001, '3xx': 4000, non2xx: 4003 }), settings, '/poll?channel=ch0&cursor=3');
    expect(ceiling).toMatchObject({ polls: 29_001, polls_per_s: 14_500.5, non_2xx: 3, p99_ms: 7, clients_at_interval: 14_500 });
    expect(pollCeilingProblem(ceiling)).toBeUndefined();
  });

  it('distrusts a ceiling with more than 1% errors or refusals', () => {
    const ceiling = pollCeilingOf(result({ '2xx': 1000, errors: 6, non2xx: 5 }), settings, '/poll');
    expect(pollCeilingProblem(ceiling)).toBe('autocannon: 6 errors and 5 non-2xx answers beside 1000 polls from /poll');
    expect(pollCeilingProblem(pollCeilingOf(result({}), settings, '/poll'))).toMatch(/no answered poll/);
  });
});
