/**
 * The kernel's own count of the load clients' traffic to a port, from
 * `ss -tinp`: bytes_received and bytes_acked of every established connection
 * to it, leaving out the sockets of the processes named (the harness's own
 * publisher and health checks are not client traffic). Linux counts the SYN
 * in bytes_acked, so a connection's payload sent and acked is bytes_acked - 1.
 */
import { execFileSync } from 'node:child_process';

export interface SocketBytes {
  connections: number;
  received: number;
  acked: number;
}

export function socketBytesTo(port: number, excludePids: number[]): SocketBytes {
  const output = execFileSync('ss', ['-tinpH', 'state', 'established', `( dport = :${port} )`], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const total: SocketBytes = { connections: 0, received: 0, acked: 0 };
  let excluded = false;
  for (const line of output.split('\n')) {
    if (line === '') continue;
    if (!/^\s/.test(line)) {
      // A socket's first line names its process: users:(("node",pid=123,fd=45)).
      const pid = Number(/pid=(\d+)/.exec(line)?.[1]);
      excluded = excludePids.includes(pid);
      continue;
    }
    if (excluded) continue;
    const acked = /bytes_acked:(\d+)/.exec(line);
    if (!acked) continue;
    total.connections++;
    total.acked += Number(acked[1]) - 1;
    total.received += Number(/bytes_received:(\d+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}
