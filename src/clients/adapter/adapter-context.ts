/**
 * What every adapter client of one process shares: the adapter, the run's
 * marker id and the payload size, and two counts that let a failed check
 * say which step failed (nothing arrived at all, or messages arrived with
 * no marker in them). One object per process, not per client.
 */
import type { Adapter } from '../../adapter/types.js';
import { findMarkers } from '../../adapter/marker.js';
import type { LoadClient } from '../load-client.js';

export interface AdapterContext {
  adapter: Adapter;
  /** Markers of other runs (a server replaying its history) are not this run's updates. */
  run: string;
  /** Bytes of data per published update (the marker is never cut short). */
  payloadBytes: number;
  /** Messages received by every client of this context, and those that carried no marker of this run and channel. */
  messages: number;
  unmarked: number;
}

export function adapterContext(adapter: Adapter, run: string, payloadBytes: number): AdapterContext {
  return { adapter, run, payloadBytes, messages: 0, unmarked: 0 };
}

/** Looks for this run's markers of the client's channel in one received message; records each as a delivery. */
export function deliverMarkers(context: AdapterContext, client: LoadClient, text: string, receivedAtMs: number): number {
  context.messages++;
  const texts = context.adapter.findMarkers ? context.adapter.findMarkers(text) : [text];
  let found = 0;
  for (const searched of texts) {
    for (const marker of findMarkers(String(searched))) {
      if (marker.run !== context.run || marker.channel !== client.channel) continue;
      found++;
      client.env.deliveries.record(client.tracker, marker, Math.max(context.payloadBytes, marker.length), receivedAtMs);
    }
  }
  if (found === 0) context.unmarked++;
  return found;
}

/** A ChannelPath (string or function of the channel) as a path. */
export function channelPath(spec: string | ((channel: string) => string) | undefined, channel: string, fallback = '/'): string {
  if (spec === undefined) return fallback;
  const value = typeof spec === 'function' ? spec(channel) : spec;
  if (typeof value !== 'string' || !value.startsWith('/'))
    throw new Error(`adapter: path for ${channel} must be a string starting with /, got ${JSON.stringify(value)}`);
  return value;
}

/** Header lines (each ending in CRLF) to splice into a request head. */
export function headerLines(headers: Record<string, string> | undefined): string {
  if (!headers) return '';
  let lines = '';
  for (const [name, value] of Object.entries(headers)) lines += `${name}: ${value}\r\n`;
  return lines;
}
