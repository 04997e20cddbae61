/**
 * A polling or SSE client's request, written as an HTTP/1.1 head, as the
 * header list an HTTP/2 client sends for it: the request line and Host
 * become the pseudo-headers (in a browser's order: :method, :authority,
 * :scheme, :path), names are lower-cased, and the headers that HTTP/2
 * forbids (RFC 9113 section 8.2.2: Connection, Keep-Alive, ...) are left
 * out, as a browser leaves them out. So the `browser` and `talk` profiles
 * mean the same request over either protocol.
 */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export type HeaderList = [string, string][];

export function h2HeaderList(head: string): HeaderList {
  const lines = head.split('\r\n');
  const [method = 'GET', path = '/'] = lines[0]!.split(' ');
  let authority = '';
  const rest: HeaderList = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'host') authority = value;
    if (!CONNECTION_SPECIFIC.has(name)) rest.push([name, value]);
  }
  return [[':method', method], [':authority', authority], [':scheme', 'http'], [':path', path], ...rest];
}
