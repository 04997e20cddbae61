/** The adapter module's checks (field paths in the errors) and the marker's round trip through what servers do to text. */
import { describe, expect, it } from 'vitest';
import { AdapterError, adapterTransports, parseAdapter } from '../../src/adapter/load.js';
import { findMarkers, markedData } from '../../src/adapter/marker.js';

const publish = { http: () => ({ path: '/p' }) };

describe('parseAdapter', () => {
  it('names the bad field', () => {
    expect(() => parseAdapter({ socketio: { subscribe: { event: 3 } }, publish }, 'x.mjs')).toThrow(
      /adapter\.socketio\.subscribe\.event: /,
    );
    expect(() => parseAdapter({ ws: { subscribe: 'join' }, publish }, 'x.mjs')).toThrow(/adapter\.ws\.subscribe: expected a function/);
    expect(() => parseAdapter({ ws: {}, publish: {} }, 'x.mjs')).toThrow(/adapter\.publish: give exactly one way to publish/);
    expect(() => parseAdapter({ publish }, 'x.mjs')).toThrow(/at least one of socketio, ws, sse, poll, longPoll/);
    expect(() => parseAdapter({ ws: {}, publish, sockeio: {} }, 'x.mjs')).toThrow(AdapterError);
  });

  it('maps sections to transports', () => {
    const adapter = parseAdapter({ poll: { path: '/p' }, sse: { path: '/s' }, socketio: {}, publish }, 'x.mjs');
    expect(adapterTransports(adapter)).toEqual(['short-poll', 'sse', 'fallback']);
  });
});

describe('markers', () => {
  const data = markedData('run1', 'ch3', 17, 1764160000123.456, 64);

  it('pads to the payload and survives JSON wrapping, re-encoding and batching', () => {
    expect(data).toHaveLength(64);
    const batch = JSON.stringify({ items: [{ text: data }, { text: markedData('run1', 'ch3', 18, 1764160000124, 10) }] });
    expect([...findMarkers(JSON.stringify(batch))].map((m) => [m.run, m.channel, m.seq, m.ts])).toEqual([
      ['run1', 'ch3', 17, 1764160000123.456],
      ['run1', 'ch3', 18, 1764160000124],
    ]);
    expect([...findMarkers(`data: ${encodeURIComponent(data)}\n\n`)]).toHaveLength(1);
  });

  it('finds nothing in text without one', () => {
    expect([...findMarkers('{"text":"rtb~ no marker"}')]).toEqual([]);
  });
});
