/**
 * A client fleet: the simulated users of one transport inside one process
 * (at most ~15,000 connections, the per-process file limit being 20,000).
 * It opens them at the planned ramp rate, spreads them over the loopback
 * destinations, and reports counters; the orchestrator drives it over IPC.
 */
import { createClient } from '../clients/registry.js';
import { type AdapterContext, adapterContext } from '../clients/adapter/adapter-context.js';
import { createAdapterClient } from '../clients/adapter/adapter-clients.js';
import type { ClientEnvironment, LoadClient } from '../clients/load-client.js';
import { PollingClient } from '../clients/polling-client.js';
import { ByteMeter } from '../metrics/byte-meter.js';
import { DeliveryRecorder } from '../metrics/delivery-recorder.js';
import { channelOf } from './channels.js';
import type { FleetCounters, FleetFinal, FleetPlan, Owed } from './fleet-protocol.js';

/** Distinct error messages kept per process. */
const MAX_ERROR_KINDS = 50;

export class Fleet {
  readonly meter = new ByteMeter();
  readonly deliveries = new DeliveryRecorder();
  readonly clients: LoadClient[] = [];
  readonly errors = new Map<string, number>();
  #reconnects = 0;
  #openRetries = 0;
  #attempted = 0;
  #stopped = false;
  #endRamp: (() => void) | undefined;
  readonly #env: ClientEnvironment;
  /** Set when the plan drives an app through an adapter (loaded at the start of the ramp). */
  #adapter: AdapterContext | undefined;

  constructor(readonly plan: FleetPlan) {
    this.#env = {
      meter: this.meter,
      deliveries: this.deliveries,
      settings: plan.settings,
      onReconnect: () => this.#reconnects++,
      onOpenRetry: () => this.#openRetries++,
      onError: (error) => this.#countError(error),
    };
  }

  /**
   * Opens every client at the ramp rate, with at most `rampConcurrency`
   * handshakes in flight: a server that accepts slower than planned slows the
   * ramp down instead of overflowing its accept queue (which shows up as SYN
   * retransmits and resets). Resolves when each client has opened or failed.
   */
  async ramp(): Promise<void> {
    const { plan } = this;
    if (plan.adapter) {
      // Loaded only with an adapter: its checks (zod) would otherwise be most of every client process's start-up.
      const { loadAdapter } = await import('../adapter/load.js');
      const { adapter } = await loadAdapter(plan.adapter.module);
      this.#adapter = adapterContext(adapter, plan.adapter.run, plan.adapter.payloadBytes);
    }
    const opening: Promise<void>[] = [];
    const started = performance.now();
    const ended = new Promise<void>((resolve) => (this.#endRamp = resolve));
    let inFlight = 0;
    let i = 0;
    while (i < plan.count && !this.#stopped) {
      // Open whatever is due by now, then sleep a tick: one timer per 10 ms
      // rather than one per connection.
      const due = Math.min(plan.count, Math.floor(((performance.now() - started) / 1000) * plan.rampPerSec) + 1);
      for (; i < due && inFlight < plan.rampConcurrency; i++) {
        inFlight++;
        opening.push(this.#openClient(plan.firstIndex + i).finally(() => inFlight--));
      }
      if (i < plan.count) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.race([Promise.all(opening), ended]);
  }

  /**
   * The orchestrator's ramp deadline passed: stop opening and report. The
   * clients still connecting stay so and are reported as such.
   */
  endRamp(): void {
    this.#stopped = true;
    // Nor do they start new attempts (open retries) past it: a client that opened late would be owed updates from before.
    for (const client of this.clients) if (client.state === 'connecting') client.stopOpening();
    this.#endRamp?.();
  }

  #openClient(index: number): Promise<void> {
    const { plan } = this;
    const target = plan.targets[index % plan.targets.length]!;
    const channel = channelOf(index, plan.channels);
    const client = this.#adapter
      ? createAdapterClient(plan.transport, this.#adapter, this.#env, target, channel)
      : createClient(plan.transport, this.#env, target, channel);
    this.clients.push(client);
    this.#attempted++;
    return client.open().catch((error: Error) => this.#countError(error));
  }

  /** Errors are counted by message, so thousands of clients failing alike make one line of the result. */
  /** Errors counted by message; a storm of distinct messages (ports, ids) is folded into one line past the bound. */
  #countError(error: Error): void {
    let key = error.message.slice(0, 120);
    if (!this.errors.has(key) && this.errors.size >= MAX_ERROR_KINDS) key = 'other errors (more kinds than the result keeps)';
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  quiesce(): void {
    for (const client of this.clients) client.quiesce();
  }

  counters(): FleetCounters {
    let open = 0;
    let failed = 0;
    let connecting = 0;
    let reconnecting = 0;
    let polls = 0;
    let echoSent = 0;
    for (const client of this.clients) {
      echoSent += client.echoSent;
      if (client.state === 'open') open++;
      else if (client.state === 'failed') failed++;
      else if (client.state === 'connecting') connecting++;
      else if (client.state === 'reconnecting') reconnecting++;
      if (client instanceof PollingClient) polls += client.polls;
    }
    const bytes = this.meter.snapshot();
    const cpu = process.cpuUsage();
    return {
      cpuUserS: cpu.user / 1e6,
      cpuSystemS: cpu.system / 1e6,
      attempted: this.#attempted,
      open,
      failed,
      connecting,
      reconnects: this.#reconnects,
      openRetries: this.#openRetries,
      reconnecting,
      delivered: this.deliveries.delivered,
      payload: this.deliveries.payloadBytes,
      polls,
      echoSent,
      down: bytes.down,
      up: bytes.up,
    };
  }

  /** Deliveries the opened clients are still owed now: what would count as lost if the run ended here. */
  missing(owed: Owed): number {
    const owedHead = this.#owedHeads(owed);
    let missing = 0;
    for (const client of this.clients) if (client.opened) missing += client.tracker.lost(owedHead(client));
    return missing;
  }

  /** The seq up to which a client is owed its channel's updates (see finish). */
  #owedHeads({ heads, unacknowledged }: Owed): (client: LoadClient) => number {
    // In the echo scenario each client is its own source: it is owed what it sent.
    if (this.plan.settings.echoRate > 0) return (client) => client.echoSent + (unacknowledged[client.channel] ?? 0);
    const seen = highestSeqs(this.clients);
    return (client) => Math.max((heads[client.channel] ?? 0) + (unacknowledged[client.channel] ?? 0), seen.get(client.channel) ?? 0);
  }

  /**
   * Closes every client, waits for the sockets to go, and settles the books.
   * `heads`: the highest seq the server acknowledged per channel.
   * `unacknowledged`: publishes per channel the server never acknowledged;
   * every subscriber was owed them, so they count as lost unless a client
   * got them anyway (a seq beyond the acknowledged head). A seq beyond the
   * head that some subscriber of the channel got is owed to all of them
   * too: a publish the server applied after the publisher had given up on
   * its answer and retried it (at-least-once: both copies are messages).
   */
  async finish(heads: Record<string, number>, unacknowledged: Record<string, number> = {}): Promise<FleetFinal> {
    this.#stopped = true;
    const books = { expected: 0, lost: 0, duplicated: 0, reordered: 0, reconnected: 0, dropped: 0, gaps: 0, gapUpdates: 0 };
    const owedHead = this.#owedHeads({ heads, unacknowledged });
    for (const client of this.clients) {
      // A client that never subscribed was never owed anything; its failure
      // is counted under clients.failed.
      if (!client.opened) continue;
      const { tracker } = client;
      books.expected += tracker.expected(owedHead(client));
      books.lost += tracker.lost(owedHead(client));
      books.duplicated += tracker.duplicated;
      books.reordered += tracker.reordered;
      books.gaps += tracker.gaps;
      books.gapUpdates += tracker.gapUpdates;
      if (client.reconnectCount > 0) books.reconnected++;
      if (client.state !== 'open') books.dropped++;
    }
    const counters = this.counters();
    for (const client of this.clients) client.close();
    const deadline = Date.now() + 10_000;
    while (this.meter.openSockets > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // Bytes and CPU again after the close handshakes: they belong to the run.
    const closed = this.counters();
    return {
      ...counters,
      down: closed.down,
      up: closed.up,
      cpuUserS: closed.cpuUserS,
      cpuSystemS: closed.cpuSystemS,
      ...books,
      histogram: this.deliveries.latency.encode(),
      rssPeakMb: process.resourceUsage().maxRSS / 1024,
      errors: [...this.errors].map(([message, count]) => `${count} x ${message}`),
    };
  }
}

/** Per channel, the highest seq any of these clients got. */
function highestSeqs(clients: readonly LoadClient[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const client of clients) {
    if (client.tracker.last > (seen.get(client.channel) ?? 0)) seen.set(client.channel, client.tracker.last);
  }
  return seen;
}
