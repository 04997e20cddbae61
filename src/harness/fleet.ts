/**
 * A client fleet: the simulated users of one transport inside one process
 * (at most ~15,000 connections, the per-process file limit being 20,000).
 * It opens them at the planned ramp rate, spreads them over the loopback
 * destinations, and reports counters; the orchestrator drives it over IPC.
 */
import { createClient } from '../clients/registry.js';
import type { ClientEnvironment, LoadClient } from '../clients/load-client.js';
import { ShortPollClient } from '../clients/short-poll-client.js';
import { ByteMeter } from '../metrics/byte-meter.js';
import { DeliveryRecorder } from '../metrics/delivery-recorder.js';
import type { FleetCounters, FleetFinal, FleetPlan } from './fleet-protocol.js';

export class Fleet {
  readonly meter = new ByteMeter();
  readonly deliveries = new DeliveryRecorder();
  readonly clients: LoadClient[] = [];
  readonly errors = new Map<string, number>();
  #reconnects = 0;
  #attempted = 0;
  #stopped = false;
  #endRamp: (() => void) | undefined;
  readonly #env: ClientEnvironment;

  constructor(readonly plan: FleetPlan) {
    this.#env = {
      meter: this.meter,
      deliveries: this.deliveries,
      settings: plan.settings,
      onReconnect: () => this.#reconnects++,
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
    this.#endRamp?.();
  }

  #openClient(index: number): Promise<void> {
    const { plan } = this;
    const target = plan.targets[index % plan.targets.length]!;
    const channel = plan.channels[index % plan.channels.length]!;
    const client = createClient(plan.transport, this.#env, target, channel);
    this.clients.push(client);
    this.#attempted++;
    return client.open().catch((error: Error) => this.#countError(error));
  }

  /** Errors are counted by message, so thousands of clients failing alike make one line of the result. */
  #countError(error: Error): void {
    const key = error.message.slice(0, 120);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  quiesce(): void {
    for (const client of this.clients) client.quiesce();
  }

  counters(): FleetCounters {
    let open = 0;
    let failed = 0;
    let connecting = 0;
    let polls = 0;
    let echoSent = 0;
    for (const client of this.clients) {
      echoSent += client.echoSent;
      if (client.state === 'open') open++;
      else if (client.state === 'failed') failed++;
      else if (client.state === 'connecting') connecting++;
      if (client instanceof ShortPollClient) polls += client.polls;
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
      delivered: this.deliveries.delivered,
      payload: this.deliveries.payloadBytes,
      polls,
      echoSent,
      down: bytes.down,
      up: bytes.up,
    };
  }

  /** Closes every client, waits for the sockets to go, and settles the books. */
  async finish(heads: Record<string, number>): Promise<FleetFinal> {
    this.#stopped = true;
    let expected = 0;
    let lost = 0;
    let duplicated = 0;
    let reordered = 0;
    for (const client of this.clients) {
      // A client that never subscribed was never owed anything; its failure
      // is counted under clients.failed.
      if (!client.opened) continue;
      // In the echo scenario each client is its own source: it is owed what it sent.
      const head = this.plan.settings.echoRate > 0 ? client.echoSent : (heads[client.channel] ?? 0);
      expected += client.tracker.expected(head);
      lost += client.tracker.lost(head);
      duplicated += client.tracker.duplicated;
      reordered += client.tracker.reordered;
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
      expected,
      lost,
      duplicated,
      reordered,
      histogram: this.deliveries.latency.encode(),
      rssPeakMb: process.resourceUsage().maxRSS / 1024,
      errors: [...this.errors].map(([message, count]) => `${count} x ${message}`),
    };
  }
}
