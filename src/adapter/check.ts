/**
 * The adapter's steps tried once, with one client, before any load: a wrong
 * adapter then fails in seconds with the step that failed named, instead of
 * a run of thousands of clients that delivers nothing.
 *
 *  1. subscribe - the client connects and joins the channel (an HTTP status,
 *     a refused CONNECT, an ack that never comes, a `ready` reply missing);
 *  2. publish   - one update is published (an HTTP status, a closed socket);
 *  3. deliver   - its marker reaches the client. When nothing arrives the
 *     server most likely ignored the subscribe; when messages arrive without
 *     the marker, the server does not relay the data where the adapter put it.
 *
 * The probe's marker carries its own run id, so the run's clients never
 * count it (a server that keeps history may replay it to them).
 */
import { adapterContext } from '../clients/adapter/adapter-context.js';
import { createAdapterClient } from '../clients/adapter/adapter-clients.js';
import type { ClientSettings, ClientTarget } from '../clients/load-client.js';
import type { TransportName } from '../clients/registry.js';
import { type ByteCounts, ByteMeter } from '../metrics/byte-meter.js';
import { epochMs } from '../metrics/clock.js';
import { DeliveryRecorder } from '../metrics/delivery-recorder.js';
import { markedData, newRunId } from './marker.js';
import { updateSender } from './publish.js';
import type { Adapter } from './types.js';

export interface AdapterCheck {
  adapter: Adapter;
  transport: TransportName;
  baseUrl: string;
  target: ClientTarget;
  settings: ClientSettings;
  channel: string;
  payloadBytes: number;
  /** How long each step may take; default 10 s to subscribe and 5 s (plus a poll interval) to deliver. */
  subscribeTimeoutMs?: number;
  deliverTimeoutMs?: number;
}

export interface CheckOutcome {
  /** Undefined when the three steps worked; otherwise what failed, starting with the step's name. */
  failure: string | undefined;
  /** The check client's wire bytes: not part of the run's figures, but they crossed the target's sockets. */
  bytes: ByteCounts;
}

export async function checkAdapter(check: AdapterCheck): Promise<CheckOutcome> {
  const meter = new ByteMeter();
  const failure = await runSteps(check, meter);
  // Its close handshakes belong to its bytes too.
  for (let i = 0; i < 50 && meter.openSockets > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return { failure, bytes: meter.snapshot() };
}

async function runSteps(check: AdapterCheck, meter: ByteMeter): Promise<string | undefined> {
  const errors: Error[] = [];
  const deliveries = new DeliveryRecorder();
  const env = {
    meter,
    deliveries,
    settings: { ...check.settings, reconnect: false },
    onReconnect: () => {},
    onError: (error: Error) => errors.push(error),
  };
  const run = newRunId();
  const context = adapterContext(check.adapter, run, check.payloadBytes);
  const client = createAdapterClient(check.transport, context, env, check.target, check.channel);
  const sender = updateSender(check.adapter, check.baseUrl);
  try {
    const subscribeMs = check.subscribeTimeoutMs ?? check.adapter.check?.subscribeMs ?? 10_000;
    const opened = await withTimeout(client.open(), subscribeMs).catch((error: Error) => error);
    if (opened === TIMEOUT) return `subscribe (${check.transport}): not confirmed within ${subscribeMs / 1000} s${waitedFor(check)}`;
    if (opened instanceof Error) return `subscribe (${check.transport}): ${opened.message.replace(/^subscribe: /, '')}`;
    // A subscribe without an answer to wait for needs a moment to reach the server.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const outcome = await sender.send(check.channel, markedData(run, check.channel, 1, epochMs(), check.payloadBytes));
    if (!outcome.ok) return `publish: ${outcome.failure.replace(/^publish: /, '')}`;
    const poll = check.transport === 'short-poll' ? check.settings.pollIntervalMs : 0;
    const deliverMs = check.deliverTimeoutMs ?? (check.adapter.check?.deliverMs ?? 5000) + poll;
    const deadline = performance.now() + deliverMs;
    while (deliveries.delivered === 0 && performance.now() < deadline && errors.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (deliveries.delivered > 0) return undefined;
    if (errors.length > 0) return `deliver (${check.transport}): the subscription ended before the update arrived: ${errors[0]!.message}`;
    if (context.messages === 0) {
      return `deliver (${check.transport}): nothing arrived within ${deliverMs / 1000} s of the publish; the server seems to have ignored the subscribe (or the publish went to another channel)`;
    }
    return (
      `deliver (${check.transport}): ${context.messages} message(s) arrived within ${deliverMs / 1000} s of the publish, none with rtbench's marker; ` +
      'the server does not relay the data where the adapter put it (check publish), or encodes it (give findMarkers)'
    );
  } finally {
    client.close();
    await sender.close(true);
  }
}

function waitedFor(check: AdapterCheck): string {
  if (check.transport === 'fallback') return ' (the CONNECT answer, or the ack of socketio.subscribe)';
  if (check.transport === 'ws' && check.adapter.ws?.ready) return ' (a message that ws.ready accepts)';
  return '';
}

const TIMEOUT = Symbol('timeout');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(resolve, ms, TIMEOUT)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
