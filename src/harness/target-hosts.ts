/**
 * Where a --target's clients connect. One source/destination address pair
 * has about 28,000 ephemeral ports, so beyond that a loopback target needs
 * several destination addresses, as the embedded server gets (127.0.0.1 ...
 * 127.0.0.8). `--target-hosts` names them; without it they are used when the
 * target is on loopback and listens on all addresses. That is decided from
 * what can be checked, not assumed:
 *  1. on Linux, the kernel's socket table (/proc/net/tcp, tcp6) has a
 *     listener on the wildcard address (0.0.0.0 or ::) at the target's port;
 *  2. a TCP connection to 127.0.0.2 on that port is accepted (this catches
 *     an IPv6-only `::` listener, which the table cannot tell apart).
 * Where /proc is not there, only (2) is checked: then a different server
 * bound to 127.0.0.2 on the same port would pass it.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';

/** At most this many addresses (the scenario's loopbackAddresses has the same bound). */
export const MAX_TARGET_HOSTS = 32;
const CONNECT_TIMEOUT_MS = 2000;

/**
 * `127.0.0.1-127.0.0.8` (the last part varies), `127.0.0.1,127.0.0.2`, or
 * both mixed in one comma list. Throws an Error whose message says what is
 * wrong (the CLI adds the option's name).
 */
export function parseTargetHosts(value: string): string[] {
  const hosts: string[] = [];
  for (const item of value.split(',').map((part) => part.trim())) {
    if (item === '') throw new Error('expected addresses such as 127.0.0.1-127.0.0.8 or 127.0.0.1,127.0.0.2; an item is empty.');
    hosts.push(...(item.includes('-') ? expandRange(item) : [ipAddress(item)]));
    if (hosts.length > MAX_TARGET_HOSTS) throw new Error(`at most ${MAX_TARGET_HOSTS} addresses.`);
  }
  const duplicate = hosts.find((host, i) => hosts.indexOf(host) !== i);
  if (duplicate) throw new Error(`${duplicate} is named twice.`);
  return hosts;
}

function ipAddress(item: string): string {
  if (net.isIP(item) === 0) throw new Error(`"${item}" is not an IP address (expected e.g. 127.0.0.1 or 127.0.0.1-127.0.0.8).`);
  return item;
}

function expandRange(item: string): string[] {
  const [from, to, extra] = item.split('-').map((part) => part.trim());
  if (extra !== undefined || !from || !to || net.isIPv4(from) === false || net.isIPv4(to) === false) {
    throw new Error(`"${item}" is not a range of IPv4 addresses such as 127.0.0.1-127.0.0.8.`);
  }
  const prefix = from.slice(0, from.lastIndexOf('.'));
  if (to.slice(0, to.lastIndexOf('.')) !== prefix) throw new Error(`"${item}": a range may vary only the last part of the address.`);
  const first = Number(from.slice(prefix.length + 1));
  const last = Number(to.slice(prefix.length + 1));
  if (last < first) throw new Error(`"${item}": the range ends before it starts.`);
  if (last - first + 1 > MAX_TARGET_HOSTS) throw new Error(`"${item}" has ${last - first + 1} addresses; at most ${MAX_TARGET_HOSTS}.`);
  return Array.from({ length: last - first + 1 }, (_, i) => `${prefix}.${first + i}`);
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (net.isIPv4(bare) && bare.startsWith('127.'));
}

/** Why a TCP connection to host:port failed, or undefined when it was accepted (and closed at once). */
export function probeConnect(host: string, port: number, timeoutMs = CONNECT_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

/**
 * Whether the kernel has a listener on the wildcard address at this port:
 * true or false from /proc/net/tcp and tcp6, undefined where they cannot be
 * read (not Linux).
 */
export async function wildcardListener(port: number): Promise<boolean | undefined> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8').catch(() => undefined)));
  if (tables.every((table) => table === undefined)) return undefined;
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  return tables.some((table) =>
    (table ?? '')
      .split('\n')
      .slice(1)
      .some((line) => {
        // sl local_address rem_address st ...; st 0A is LISTEN.
        const [, local, , state] = line.trim().split(/\s+/);
        if (state !== '0A' || !local) return false;
        const [address, hexPort] = local.split(':');
        return hexPort === wanted && /^0+$/.test(address ?? '');
      }),
  );
}

export interface HostChoice {
  hosts: string[];
  /** One sentence for the run's events: which addresses and why. */
  reason: string;
  /** Set when a named address does not accept connections: the run cannot go on. */
  problem?: string;
}

/** The addresses a --target's clients connect to, and why those. */
export async function chooseTargetHosts(url: URL, explicit: string[] | undefined, loopbackCount: number): Promise<HostChoice> {
  const port = Number(url.port || 80);
  if (explicit && explicit.length > 0) {
    for (const host of explicit) {
      const problem = await probeConnect(host, port);
      if (problem)
        return { hosts: explicit, reason: '', problem: `--target-hosts ${host}:${port} does not accept connections: ${problem}` };
    }
    return { hosts: explicit, reason: `clients spread over --target-hosts ${explicit.join(', ')} (port ${port})` };
  }
  const single = { hosts: [url.hostname.replace(/^\[|\]$/g, '')] };
  if (!isLoopback(url.hostname) || loopbackCount < 2) return { ...single, reason: `clients connect to ${url.host} only` };
  const wildcard = await wildcardListener(port);
  if (wildcard === false) {
    return { ...single, reason: `clients connect to ${url.host} only: nothing listens on 0.0.0.0 or :: at port ${port} (/proc/net/tcp)` };
  }
  const refused = await probeConnect('127.0.0.2', port);
  if (refused) return { ...single, reason: `clients connect to ${url.host} only: 127.0.0.2:${port} refused a probe (${refused})` };
  const hosts = Array.from({ length: loopbackCount }, (_, i) => `127.0.0.${i + 1}`);
  const why = wildcard ? 'a wildcard listener in /proc/net/tcp and a probe of 127.0.0.2' : 'a probe of 127.0.0.2 (no /proc/net/tcp here)';
  return {
    hosts,
    reason: `clients spread over 127.0.0.1-127.0.0.${loopbackCount} (port ${port}): the target listens on all addresses (${why})`,
  };
}
