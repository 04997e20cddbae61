/**
 * The process's file-descriptor limit (`ulimit -n`), which bounds the
 * connections one server process can hold. Node has no getrlimit; Linux
 * states the limits in /proc/self/limits.
 */
import { readFileSync } from 'node:fs';

/** The soft "Max open files" limit in /proc/self/limits text; undefined when missing or "unlimited". */
export function parseOpenFilesLimit(limitsText: string | undefined): number | undefined {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  const value = Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** This process's soft descriptor limit, or undefined where /proc does not say (not Linux). */
export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Connections one process takes before it stops accepting, as nginx's
 * `ngx_accept_disabled` does: 7/8 of the descriptor limit, the last eighth
 * left for everything else a process opens (its listening sockets, the
 * IPC channel, Engine.IO relay connections, connections being refused).
 * Unbounded where the limit is unknown.
 */
export function maxConnectionsFor(limit: number | undefined): number {
  return limit === undefined ? Number.POSITIVE_INFINITY : Math.floor((limit * 7) / 8);
}

export function defaultMaxConnections(): number {
  return maxConnectionsFor(openFilesLimit());
}
