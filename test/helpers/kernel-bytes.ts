/**
 * The kernel's own count of client sockets' traffic, from `ss -tin`:
 * bytes_received and bytes_acked of every established connection to a port.
 * Linux counts the SYN in bytes_acked, so the payload bytes sent and acked
 * are bytes_acked - 1 per connection.
 */
import { execFileSync } from 'node:child_process';

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
