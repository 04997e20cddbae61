/** Threshold expressions: both spellings, units, and errors that point at the problem. */
import { describe, expect, it } from 'vitest';
import { GateParseError, parseThreshold, parseThresholds } from '../../../src/gates/parse.js';

function summary(expr: string) {
  const t = parseThreshold(expr);
  const ref = (r: { transport?: string; metric: { name: string } }) => `${r.transport ?? '*'}.${r.metric.name}`;
  const operand = t.operand.type === 'ratio' ? `ratio(${ref(t.operand.numerator)}, ${ref(t.operand.denominator)})` : ref(t.operand.ref);
  return { operand, op: t.op, limit: t.limit, unit: t.unit };
}

function parseError(expr: string): GateParseError {
  try {
    parseThreshold(expr);
  } catch (error) {
    if (error instanceof GateParseError) return error;
    throw error;
  }
  throw new Error(`"${expr}" parsed`);
}

describe('parseThreshold', () => {
  it('reads k6-style trend thresholds', () => {
    expect(summary('ws.latency: p(99)<250ms')).toEqual({ operand: 'ws.latency.p99', op: '<', limit: 250, unit: 'ms' });
    expect(summary('latency: p(99.9) <= 1s')).toEqual({ operand: '*.latency.p999', op: '<=', limit: 1000, unit: 'ms' });
    expect(summary('sse.latency:med<2500us')).toEqual({ operand: 'sse.latency.p50', op: '<', limit: 2.5, unit: 'ms' });
    expect(summary('latency: avg < 20')).toEqual({ operand: '*.latency.mean', op: '<', limit: 20, unit: 'ms' });
    expect(summary('short-poll.latency: max<1.5s')).toEqual({ operand: 'short-poll.latency.max', op: '<', limit: 1500, unit: 'ms' });
    expect(summary('ws.lost: value==0')).toEqual({ operand: 'ws.lost', op: '==', limit: 0, unit: '' });
  });

  it('reads plain comparisons, with and without a transport', () => {
    expect(summary('short-poll.bytes_per_update<1000')).toEqual({
      operand: 'short-poll.bytes_per_update',
      op: '<',
      limit: 1000,
      unit: 'b',
    });
    expect(summary('lost==0')).toEqual({ operand: '*.lost', op: '==', limit: 0, unit: '' });
    expect(summary('ws.latency.p99 < 250ms')).toEqual({ operand: 'ws.latency.p99', op: '<', limit: 250, unit: 'ms' });
  });

  it('reads transport variants (base+variant) in every spelling', () => {
    expect(summary('sse+h2.bytes_per_update<200')).toMatchObject({ operand: 'sse+h2.bytes_per_update', limit: 200 });
    expect(summary('short-poll+h2.latency: p(99)<1s')).toMatchObject({ operand: 'short-poll+h2.latency.p99', limit: 1000 });
    expect(summary('ws+deflate.lost: value==0')).toMatchObject({ operand: 'ws+deflate.lost' });
    expect(summary('ratio(short-poll.bandwidth, short-poll+h2.bandwidth)>2').operand).toBe(
      'ratio(short-poll.bandwidth, short-poll+h2.bandwidth)',
    );
    expect(summary('clients.failed != 1')).toEqual({ operand: '*.clients.failed', op: '!=', limit: 1, unit: '' });
    expect(summary('long-poll.clients.open>=40')).toEqual({ operand: 'long-poll.clients.open', op: '>=', limit: 40, unit: '' });
  });

  it('reads ratios of two metrics', () => {
    expect(summary('ratio(short-poll.bandwidth, ws.bandwidth)>100')).toEqual({
      operand: 'ratio(short-poll.bandwidth, ws.bandwidth)',
      op: '>',
      limit: 100,
      unit: 'x',
    });
    expect(summary('ratio( bytes_per_update ,ws.bytes_per_update ) <= 150%').limit).toBe(1.5);
  });

  it('converts every unit to the metric unit', () => {
    expect(summary('overhead_per_update<1KB').limit).toBe(1024);
    expect(summary('bytes.down<2mb').limit).toBe(2 * 1024 * 1024);
    expect(summary('bandwidth<1.5Mbps').limit).toBe(1_500_000);
    expect(summary('talk_bandwidth<2 Gbps').limit).toBe(2e9);
    expect(summary('loss_ratio<1%').limit).toBe(1);
    expect(summary('delivery_ratio>=0.99x').limit).toBe(99);
    expect(summary('cpu.server<500ms').limit).toBe(0.5);
    expect(summary('cpu.server_per_update<0.2ms').limit).toBe(200);
    expect(summary('rss.server<1GB').limit).toBe(1024);
    expect(summary('rate.achieved>=150/s').limit).toBe(150);
    expect(summary('latency.p99<1m').limit).toBe(60_000);
  });

  it('names the expression and the position of a parse error', () => {
    const error = parseError('ws.latency: p(99)<<250ms');
    expect(error.code).toBe('RTB_ERR_GATE');
    expect(error.index).toBe(18);
    expect(error.message).toBe(
      'invalid threshold "ws.latency: p(99)<<250ms" at position 19: expected a number, found "<"\n' +
        '  ws.latency: p(99)<<250ms\n' +
        '                    ^',
    );
  });

  it.each([
    ['', 0, 'the threshold is empty'],
    ['lost=0', 4, '"=" is not an operator; use "=="'],
    ['lost', 4, 'expected one of <= >= == != < >, found the end'],
    ['ws.latency: p(95)<250ms', 14, 'p(95) is not recorded; use p(50), p(90), p(99), p(99.9)'],
    ['ws.latency: p99<250ms', 12, '"p99" is not an aggregation of latency; use p(N), med, avg, mean, max'],
    ['ws.latency<250ms', 0, '"ws.latency" needs an aggregation'],
    ['ws.lost: p(99)==0', 9, 'lost is a single number: its only aggregation is "value"'],
    ['ws.bytes_per_update<1ms', 21, 'unit "ms" does not fit bytes_per_update (use b, kb, kib, mb, mib, gb, gib or none)'],
    ['lost<1%', 6, 'unit "%" does not fit lost (a count takes no unit)'],
    ['ws.latncy.p99<1', 0, 'unknown metric "latncy.p99"; known: clients.target'],
    ['Ws.lost<1', 0, '"Ws" is not a transport name'],
    ['sse+.lost<1', 0, '"sse+" is not a transport name'],
    ['ratio(ws.bandwidth sse.bandwidth)>1', 19, 'expected "," between the two metrics of ratio(), found "s"'],
    ['lost==0 and more', 8, 'unexpected "and more" after the limit'],
  ])('%j fails at index %i: %s', (expr, index, detail) => {
    const error = parseError(expr);
    expect(error.index).toBe(index);
    expect(error.detail.startsWith(detail), error.detail).toBe(true);
    expect(error.message).toContain(`invalid threshold "${expr}" at position ${index + 1}: `);
  });

  it('parses a whole list before evaluating any', () => {
    expect(() => parseThresholds(['lost==0', 'lost=0'])).toThrow(GateParseError);
    expect(parseThresholds(['lost==0', 'ws.latency: p(99)<1s'])).toHaveLength(2);
  });
});
