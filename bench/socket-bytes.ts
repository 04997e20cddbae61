/**
 * The kernel's own count of the load clients' traffic to a port, from
 * `ss -tin`: bytes_received and bytes_acked of every established connection
 * to it, leaving out those to one destination address (the harness's own
 * publisher and health checks go to the target's address; the bench sends
 * its clients to others with --target-hosts). Without -p, ss reads 20,000
 * sockets in a fraction of a second, so little traffic passes while it
 * reads. Linux counts the SYN in bytes_acked, so a connection's payload sent
 * and acked is bytes_acked - 1.
 */
import { execFileSync } from 'node:child_process';

export interface SocketBytes {
  connections: number;
  received: number;
  acked: number;
  /** How long ss took: traffic in that time may or may not be in the figures. */
  readMs: number;
}

export function socketBytesTo(port: number, excludeDst: string): SocketBytes {
  const started = performance.now();
  const output = execFileSync('ss', ['-tinH', 'state', 'established', `( dport = :${port} and not dst ${excludeDst} )`], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const total: SocketBytes = { connections: 0, received: 0, acked: 0, readMs: Math.round(performance.now() - started) };
  for (const match of output.matchAll(/bytes_acked:(\d+)(?: bytes_received:(\d+))?/g)) {
    total.connections++;
    total.acked += Number(match[1]) - 1;
    total.received += Number(match[2] ?? 0);
  }
  return total;
}
