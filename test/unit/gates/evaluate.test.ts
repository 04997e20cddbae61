/** Thresholds against the fixture run: values, per-transport expansion, and gates that cannot be evaluated. */
import { describe, expect, it } from 'vitest';
import { applyGates } from '../../../src/gates/evaluate.js';
import { thresholdsOf } from '../../../src/gates/config.js';
import { GateParseError } from '../../../src/gates/parse.js';
import { smokeRun } from '../../helpers/run-fixture.js';

const run = smokeRun();

describe('applyGates', () => {
  it('checks a k6-style latency threshold on one transport', () => {
    expect(applyGates(run, ['ws.latency: p(99)<250ms'])).toEqual([
      { expr: 'ws.latency: p(99)<250ms', transport: 'ws', value: 4.971, limit: 250, op: '<', unit: 'ms', pass: true },
    ]);
    expect(applyGates(run, ['ws.latency: p(99)<4ms'])[0]).toMatchObject({ value: 4.971, limit: 4, pass: false });
  });

  it('checks an expression without a transport on every transport', () => {
    const gates = applyGates(run, ['lost==0']);
    expect(gates.map((g) => [g.transport, g.value, g.pass])).toEqual([
      ['short-poll', 0, true],
      ['long-poll', 0, true],
      ['sse', 0, true],
      ['fallback', 0, true],
      ['ws', 0, true],
    ]);
    const lossy = smokeRun((json) => {
      json.transports.sse.updates.lost = 3;
    });
    expect(
      applyGates(lossy, ['lost==0'])
        .filter((g) => !g.pass)
        .map((g) => [g.transport, g.value]),
    ).toEqual([['sse', 3]]);
  });

  it('checks byte, bandwidth and ratio metrics', () => {
    const [bytes, overhead, bandwidth, talk, ratio, loss] = applyGates(run, [
      'short-poll.bytes_per_update<1000',
      'long-poll.overhead_per_update<=293B',
      'ws.bandwidth<200kbps',
      'ws.talk_bandwidth<115Mbps',
      'ratio(long-poll.overhead_per_update, ws.overhead_per_update)>50',
      'sse.loss_ratio<1%',
    ]);
    expect(bytes).toMatchObject({ value: 243.99, pass: true, unit: 'b' });
    expect(overhead).toMatchObject({ value: 293, limit: 293, pass: true });
    expect(bandwidth).toMatchObject({ value: 143 * 164.8 * 8, limit: 200_000, pass: true, unit: 'bps' });
    expect(talk).toMatchObject({ value: 114_400_000, pass: true });
    expect(ratio).toMatchObject({ value: 73.25, limit: 50, pass: true, unit: 'x' });
    expect(ratio!.transport).toBeUndefined();
    expect(loss).toMatchObject({ value: 0, pass: true, unit: '%' });
  });

  it('binds unprefixed metrics inside ratio() to each transport in turn', () => {
    const gates = applyGates(run, ['ratio(bytes_per_update, ws.bytes_per_update)<=2']);
    expect(gates.map((g) => [g.transport, g.pass])).toEqual([
      ['short-poll', true],
      ['long-poll', false],
      ['sse', true],
      ['fallback', true],
      ['ws', true],
    ]);
    expect(gates[4]!.value).toBe(1);
  });

  it('fails a gate it cannot evaluate, saying why', () => {
    const noWs = smokeRun((json) => {
      delete json.transports.ws;
      json.transports.sse.updates.delivered = 0;
      delete json.transports.fallback.processes.server.cpu_us_per_update;
    });
    const [missing, nothing, absent, zero] = applyGates(noWs, [
      'ws.lost==0',
      'sse.latency: p(99)<1s',
      'fallback.cpu.server_per_update<1ms',
      'ratio(long-poll.bandwidth, sse.bandwidth)>1',
    ]);
    expect(missing).toMatchObject({
      value: null,
      pass: false,
      error: 'transport ws is not in this run (it has short-poll, long-poll, sse, fallback)',
    });
    expect(nothing).toMatchObject({ value: null, pass: false, error: 'sse.latency.p99: no latency was recorded (no updates delivered)' });
    expect(absent).toMatchObject({
      value: null,
      pass: false,
      error: 'fallback.cpu.server_per_update: processes.server.cpu_us_per_update is not in this result',
    });
    expect(zero).toMatchObject({ value: null, pass: false, error: 'sse.bandwidth: no updates were delivered' });
  });

  it('stops at the first expression that does not parse', () => {
    expect(() => applyGates(run, ['lost==0', 'lost <> 0'])).toThrow(GateParseError);
  });
});

describe('gate config', () => {
  it('takes a list, or k6 thresholds by metric', () => {
    expect(thresholdsOf({ thresholds: ['lost==0'] }, 'gates.json')).toEqual(['lost==0']);
    expect(
      thresholdsOf({ thresholds: { 'ws.latency': ['p(99)<250ms', { threshold: 'p(50)<20ms' }], lost: ['value==0'] } }, 'k6.json'),
    ).toEqual(['ws.latency: p(99)<250ms', 'ws.latency: p(50)<20ms', 'lost: value==0']);
    expect(applyGates(run, thresholdsOf({ thresholds: { 'ws.latency': ['p(99)<250ms'] } }, 'k6.json'))[0]!.pass).toBe(true);
  });

  it('names what is wrong with a bad config', () => {
    expect(() => thresholdsOf({ threshold: ['lost==0'] }, 'gates.json')).toThrow(/^gates\.json: thresholds: /);
    expect(() => thresholdsOf({ thresholds: [1] }, 'gates.json')).toThrow(/gates\.json: thresholds/);
  });
});
