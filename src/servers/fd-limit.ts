/**
 * The process's file-descriptor limit (`ulimit -n`), which bounds the
 * connections one server process can hold. Node has no getrlimit; Linux
 * states the limits in /proc/self/limits.
 */
import { readFileSync } from 'node:fs';

/** The soft "Max open files" limit, or undefined where /proc does not say (not Linux) or says "unlimited". */
export function openFilesLimit(limitsText = readLimits()): number | undefined {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  const value = Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
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
export function defaultMaxConnections(limit = openFilesLimit()): number {
  return limit === undefined ? Number.POSITIVE_INFINITY : Math.floor((limit * 7) / 8);
}
