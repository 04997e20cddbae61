/**
 * `GET /metrics` in Prometheus text format (prom-client). Transports keep
 * plain counters (an `inc()` with labels per delivery would cost more than
 * the delivery at 100,000 subscribers); the gauges read them at scrape time.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ByteTally } from './byte-tally.js';
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
