/**
 * A compression variant through the whole harness: the embedded server is
 * started with --ws-deflate for it, its clients negotiate, every update
 * arrives, and the wire shows it (fewer bytes than the payload delivered).
 */
import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../dist/harness/orchestrator.js';
import { parseScenario } from '../../src/scenarios/schema.js';

describe('compression variants in a run', () => {
  it('ws+deflate: the server offers deflate, nothing is lost, fewer bytes on the wire than the payload', async () => {
    const scenario = parseScenario(
      {
        name: 'compression',
        transports: ['ws+deflate'],
        clients: 20,
        channels: 2,
        rate: 5,
        payloadBytes: 64,
        durationMs: 500,
        rampPerSec: 1000,
        drainMs: 500,
      },
      'test',
    );
    const result = await new Orchestrator(scenario).run();
    expect(result.status).toBe('ok');
    for (const t of Object.values(result.transports)) expect(t.updates).toMatchObject({ lost: 0, delivered: t.updates.expected });
    // The envelope with 64 bytes of data is about 150 bytes; uncompressed it would cost 2 more per update.
    const deflate = result.transports['ws+deflate']!.bytes;
    expect(deflate.overhead_per_update).toBeLessThan(0);
  }, 60_000);
});
