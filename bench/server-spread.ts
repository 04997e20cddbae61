/**
 * Each server worker's connection count, for bench:100k to print at the end
 * of the ramp (the spread between the busiest and the idlest worker). The
 * embedded server is a child of this process with a port picked at run
 * time, so it is found in /proc: the `serve` process among this process's
 * descendants, its public listening socket (bound to 0.0.0.0, unlike the
 * workers' loopback relay ports) among its workers' descriptors, and then
 * its own /healthz, which lists every worker.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface WorkerCount {
  pid: number;
  connections: number;
  /** Connections it refused for lack of room since it started. */
  refused: number;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may hold spaces and parentheses: fields resume after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // Closed while listed.
      }
    }
  } catch {
    // The process is gone.
  }
  return inodes;
}

/** The port of a socket listening on 0.0.0.0 that `pid` holds. */
function publicPort(pid: number): number | undefined {
  const inodes = socketInodes(pid);
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [address, port] = (fields[1] ?? '').split(':');
    if (fields[3] === '0A' && address === '00000000' && inodes.has(fields[9]!)) return Number.parseInt(port!, 16);
  }
  return undefined;
}

/** The public port of the embedded `rtbench serve` started by this process, if it runs. */
export function embeddedServerPort(root = process.pid): number | undefined {
  const server = descendants(root).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('serve');
    } catch {
      return false;
    }
  });
  if (server === undefined) return undefined;
  return descendants(server)
    .map(publicPort)
    .find((port) => port !== undefined);
}

/** Every worker of the server on `port` and its connections, from its /healthz. */
export async function workerSpread(port: number): Promise<WorkerCount[]> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
  const health = (await response.json()) as { pid: number; workers?: { pid: number; connections?: number; refused?: number }[] };
  return (health.workers ?? []).map((w) => ({
    pid: w.pid,
    // Not counting the /healthz request's own connection.
    connections: (w.connections ?? 0) - (w.pid === health.pid ? 1 : 0),
    refused: w.refused ?? 0,
  }));
}
