/**
 * `GET /metrics` in Prometheus text format (prom-client). Transports keep
 * plain counters (an `inc()` with labels per delivery would cost more than
 * the delivery at 100,000 subscribers); the gauges read them at scrape time.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ByteTally } from './byte-tally.js';
import { type ConnectionGate, REFUSAL_REASONS } from './connection-gate.js';
import type { Hub } from './hub.js';
import type { ServerTransport } from './transport.js';

export function createServerRegistry(hub: Hub, transports: ServerTransport[], bytes: ByteTally): Registry {
  const registry = new Registry();

  new Gauge({
    name: 'rtbench_connections_open',
    help: 'Open connections (held requests for long polling) by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      for (const t of transports) this.set({ transport: t.name }, t.stats().connections);
    },
  });
  new Gauge({
    name: 'rtbench_subscribers',
    help: 'Channel subscriptions held by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      for (const t of transports) this.set({ transport: t.name }, t.stats().subscribers);
    },
  });
  new Counter({
    name: 'rtbench_messages_published_total',
    help: 'Messages accepted by the hub of this process',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hub.published);
    },
  });
  new Counter({
    name: 'rtbench_messages_delivered_total',
    help: 'Messages handed to clients, by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of transports) this.inc({ transport: t.name }, t.stats().delivered);
    },
  });
  new Counter({
    name: 'rtbench_bytes_written_total',
    help: 'Bytes written to client sockets (heads, frames and bodies), by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [transport, total] of bytes.totals()) this.inc({ transport }, total);
    },
  });
  return registry;
}

/**
 * The connection gate's figures: refusals by reason (summed over workers
 * under --workers) and each process's open connections, labelled by pid, so
 * the spread between the busiest and the idlest worker shows.
 */
export function registerConnectionMetrics(registry: Registry, gate: ConnectionGate): void {
  new Counter({
    name: 'rtbench_connections_refused_total',
    help: 'Client connections refused for lack of room, by reason (max_connections: over --max-connections with every worker full; fd_limit: out of file descriptors)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      const refusals = gate.refusals();
      for (const reason of REFUSAL_REASONS) this.inc({ reason }, refusals.get(reason) ?? 0);
    },
  });
  new Gauge({
    name: 'rtbench_process_connections',
    help: 'Client connections open on each server process (every transport), by pid',
    labelNames: ['pid'],
    registers: [registry],
    collect() {
      this.set({ pid: String(process.pid) }, gate.open);
    },
  });
  new Gauge({
    name: 'rtbench_process_accepting',
    help: '1 while the process accepts new connections, 0 while it is at --max-connections',
    labelNames: ['pid'],
    registers: [registry],
    collect() {
      this.set({ pid: String(process.pid) }, gate.accepting ? 1 : 0);
    },
  });
}
