/**
 * The kernel's own count of client sockets' traffic, from `ss -tin`:
 * bytes_received and bytes_acked of every established connection to a port.
 * Linux counts the SYN in bytes_acked, so the payload bytes sent and acked
 * are bytes_acked - 1 per connection. The byte tests hold a client's meter
 * against it.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import type { ClientEnvironment, LoadClient } from '../../src/clients/load-client.js';

export interface KernelBytes {
  connections: number;
  received: number;
  acked: number;
  sent: number;
}

export function kernelBytesTo(port: number): KernelBytes {
  const output = execFileSync('ss', ['-tinH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  const total: KernelBytes = { connections: 0, received: 0, acked: 0, sent: 0 };
  for (const match of output.matchAll(/bytes_sent:(\d+)(?: bytes_retrans:\d+)? bytes_acked:(\d+)(?: bytes_received:(\d+))?/g)) {
    total.connections++;
    total.sent += Number(match[1]);
    total.acked += Number(match[2]) - 1;
    total.received += Number(match[3] ?? 0);
  }
  return total;
}

/**
 * Waits (5 s at most) until `condition` holds, then lets the last ACKs and
 * any trailing bytes settle, so that the meter and the kernel are read at rest.
 */
export async function waitUntilSettled(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** One client's meter counted what the kernel did on its one connection to `port`, every byte sent is acked, and the client is open. */
export function expectMeterMatchesKernel(client: LoadClient, env: ClientEnvironment, port: number): void {
  const meter = env.meter.snapshot();
  const kernel = kernelBytesTo(port);
  expect(kernel.connections).toBe(1);
  expect({ down: kernel.received, up: kernel.acked }).toEqual(meter);
  expect(kernel.sent).toBe(meter.up);
  expect(client.state).toBe('open');
}
