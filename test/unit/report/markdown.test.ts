/** The Markdown report of the fixture, exactly: it is what CI job summaries show. */
import { describe, expect, it } from 'vitest';
import { applyGates } from '../../../src/gates/evaluate.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { smokeRun } from '../../helpers/run-fixture.js';

describe('renderMarkdown', () => {
  const run = smokeRun();
  run.gates = applyGates(run, ['ws.latency: p(99)<250ms', 'sse.bytes_per_update<150B', 'long-poll.delivery_ratio>=99.5%']);
  const markdown = renderMarkdown(run);

  it('renders the run, the model beside the measurements, and the gates', () => {
    expect(markdown).toBe(
      [
        '## rtbench run: smoke',
        '',
        'scenario smoke; started 2026-11-25T01:17:53.929Z; 19.9 s in all; target embedded; machine: 2 CPUs (AMD EPYC), 23.5 GB, Node v20.20.2, linux 6.18.44-fc-v657.',
        '',
        '### Transports',
        '',
        '| transport | clients open/target | delivered/expected | lost/dup/reord | B/update | overhead B/update | p50 ms | p99 ms | max ms | updates/s achieved/intended | CPU s server/clients |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| short-poll | 40/40 | 330/330 | 0/0/0 | 243.99 | 105.99 | 500 | 987 | 1,000 | 164.3/160 | 0.7/0.4 |',
        '| long-poll | 40/40 | 320/320 | 0/0/0 | 432 | 293 | 3.82 | 8.9 | 9.54 | 159.9/160 | 0.81/0.39 |',
        '| sse | 40/40 | 330/330 | 0/0/0 | 160 | 20 | 2.98 | 8.22 | 8.44 | 164.6/160 | 0.78/0.3 |',
        '| fallback | 40/40 | 330/330 | 0/0/0 | 156 | 17 | 2.9 | 6.14 | 6.4 | 164.8/160 | 0.74/0.33 |',
        '| ws | 40/40 | 330/330 | 0/0/0 | 143 | 4 | 2.53 | 4.97 | 5.04 | 164.8/160 | 0.58/0.29 |',
        '',
        '- short-poll: saturated - the machine could not keep the intended schedule',
        '',
        '### The 871 bytes today',
        '',
        'The 871 bytes today: one update to each of 100,000 clients a second.',
        '',
        '| row | source | B/update | Mbps at 100,000 | server CPU us/update | client CPU us/update |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        '| polling, 871 B of headers (no payload) | talk 2009 | 871 | 664.5 | - | - |',
        '| WebSocket, 2 B of draft framing (no payload) | talk 2009 | 2 | 1.526 | - | - |',
        '| HTTP/1.1 poll, minimal headers | model | 426 | 325 | - | - |',
        '| HTTP/2 poll (HPACK, later polls), minimal headers | model | 258 | 196.8 | - | - |',
        '| WebSocket (RFC 6455) | model | 143 | 109.1 | - | - |',
        '| WebSocket + permessage-deflate (context takeover) | model | 16 | 12.21 | - | - |',
        '| short-poll | measured | 243.99 | 186.1 | 333.3 | 336.1 |',
        '| long-poll | measured | 432 | 329.6 | 375 | 293 |',
        '| sse | measured | 160 | 122.1 | 181.8 | 227.6 |',
        '| fallback | measured | 156 | 119 | 181.8 | 212.1 |',
        '| ws | measured | 143 | 109.1 | 151.5 | 173.1 |',
        '',
        "Mbps = B/update x 100,000 x 8 / 2^20 (the talk's unit). Model and measured rows include the payload (the envelope as delivered); the talk's rows count headers and framing only. Model rows use the run's header profile and payload (repeated data, as the publisher sends it: the best case for compression); `rtbench model` shows the formulas. CPU per update: the steady phase's CPU seconds of the server tree, and of the client processes, per delivered update (/proc, all threads, zlib's included).",
        '',
        '### Model vs measured',
        '',
        'Model: polling costs 871 B of headers per update, WebSocket 2 B of draft framing (0x00 ... 0xFF); 1 update/s per client, 0 B payload.',
        '',
        '| clients | polling bit/s | polling Mbps | talk | polling Mbps (SI) | WebSocket bit/s | WebSocket Mbps | talk | WebSocket Mbps (SI) | polling/WebSocket |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| 1,000 | 6,968,000 | 6.645 | 6.6 | 6.968 | 16,000 | 0.01526 | 0.015 | 0.016 | 435.5x |',
        '| 10,000 | 69,680,000 | 66.45 | 66 | 69.68 | 160,000 | 0.1526 | 0.153 | 0.16 | 435.5x |',
        '| 100,000 | 696,800,000 | 664.5 | 665 | 696.8 | 1,600,000 | 1.526 | 1.526 | 1.6 | 435.5x |',
        '',
        "Mbps = bit/s / 2^20 (the talk's unit); SI = bit/s / 10^6. talk = the figures as the talk printed them (rounded by hand).",
        '',
        "Measured: the same table from each transport's measured bytes per update, at 1 update/s per client.",
        '',
        '| transport | model B | overhead B | vs model | wire B/update | Mbps @ 1,000 | Mbps @ 10,000 | Mbps @ 100,000 | wire Mbps @ 100,000 |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| short-poll | 871 | 105.99 | 0.122x | 243.99 | 0.8086 | 8.086 | 80.86 | 186.1 |',
        '| long-poll | 871 | 293 | 0.336x | 432 | 2.235 | 22.35 | 223.5 | 329.6 |',
        '| sse | - | 20 | - | 160 | 0.1526 | 1.526 | 15.26 | 122.1 |',
        '| fallback | 2 | 17 | 8.5x | 156 | 0.1297 | 1.297 | 12.97 | 119 |',
        '| ws | 2 | 4 | 2x | 143 | 0.03052 | 0.3052 | 3.052 | 109.1 |',
        '',
        'model B = headers (polling) or framing (WebSocket) per update as the model counts them; overhead B = measured wire bytes per update minus payload. Mbps columns count the overhead only, as the talk did; wire Mbps counts every byte, payload included.',
        '',
        '### Gates',
        '',
        '1 of 3 gates failed.',
        '',
        '| result | gate | transport | measured | limit |',
        '| --- | --- | --- | ---: | ---: |',
        '| ✅ pass | `ws.latency: p(99)<250ms` | ws | 4.971 ms | < 250 ms |',
        '| ❌ FAIL | `sse.bytes_per_update<150B` | sse | 160 B | < 150 B |',
        '| ✅ pass | `long-poll.delivery_ratio>=99.5%` | long-poll | 100% | >= 99.5% |',
        '',
      ].join('\n'),
    );
  });

  it('marks per-update figures of a transport that delivered nothing, and says why', () => {
    const failed = smokeRun((json) => {
      Object.assign(json.transports.fallback.clients, { open: 0, failed: 40 });
      Object.assign(json.transports.fallback.updates, { expected: 0, delivered: 0 });
      json.transports.fallback.errors = ['40 x polling answered 404'];
    });
    const text = renderMarkdown(failed);
    expect(text).toContain('| fallback | 0/40 | 0/0 | 0/0/0 | - | - | - | - | - | 164.8/160 | 0.74/0.33 |');
    expect(text).toContain('- fallback: 40 of 40 clients failed to connect\n- fallback: 40 x polling answered 404\n');
    expect(text).toContain('| fallback | 2 | - | - | - | - | - | - | - |');
    expect(text).toContain('### Gates\n\nNo gates were set.\n');
  });

  it('shows the retries of first opens apart from reconnects', () => {
    const retried = smokeRun((json) => {
      Object.assign(json.transports.fallback.clients, { open_retries: 3, reconnected: 1, reconnects: 2 });
    });
    expect(renderMarkdown(retried)).toContain(
      '- fallback: 1 clients reconnected (2 reconnections)\n- fallback: 3 retries of first opens that failed (new sessions, as socket.io-client retries)\n',
    );
  });

  it('escapes a | in a cell so it cannot split the row', () => {
    const odd = smokeRun((json) => {
      json.gates = [{ expr: 'a|b', value: 1, pass: true }];
    });
    expect(renderMarkdown(odd)).toContain('| ✅ pass | `a\\|b` | - | 1 | - |');
  });
});
