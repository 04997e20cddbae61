/** A run's measured bytes per update beside the model. */
import { describe, expect, it } from 'vitest';
import { measuredVsModel } from '../../../src/model/measured-vs-model.js';
import { smokeRun } from '../../helpers/run-fixture.js';

describe('measuredVsModel', () => {
  const run = smokeRun();

  it('puts every transport beside its line of the model', () => {
    const { measured } = measuredVsModel(run);
    expect(measured.map((row) => [row.transport, row.model_line, row.model_overhead_per_update, row.measured_overhead_per_update])).toEqual(
      [
        ['short-poll', 'polling', 871, 105.99],
        ['long-poll', 'polling', 871, 293],
        ['sse', null, null, 20],
        ['fallback', 'websocket', 2, 17],
        ['ws', 'websocket', 2, 4],
      ],
    );
  });

  it('recomputes the talk table from the measured overhead and wire bytes', () => {
    const ws = measuredVsModel(run).measured.find((row) => row.transport === 'ws')!;
    expect(ws.payload_per_update).toBe(139);
    expect(ws.overhead_vs_model).toBe(2);
    expect(ws.at_scale.map((s) => [s.clients, s.overhead.bits_per_s, s.wire.bits_per_s])).toEqual([
      [1_000, 32_000, 1_144_000],
      [10_000, 320_000, 11_440_000],
      [100_000, 3_200_000, 114_400_000],
    ]);
  });

  it('asks RFC 6455 about the payload the run delivered (139 B needs the 4-byte header)', () => {
    const ws = measuredVsModel(run, { framing: 'rfc6455' }).measured.find((row) => row.transport === 'ws')!;
    expect(ws.model_overhead_per_update).toBe(4);
    expect(ws.overhead_vs_model).toBe(1);
  });

  it('has no ratio for a transport that delivered nothing', () => {
    const failed = smokeRun((json) => {
      json.transports.ws.updates.delivered = 0;
    });
    expect(measuredVsModel(failed).measured.find((row) => row.transport === 'ws')!.overhead_vs_model).toBeNull();
  });
});
