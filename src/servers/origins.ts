/**
 * `--allowed-origins`: which web pages may open a WebSocket, an SSE stream
 * or an Engine.IO / Socket.IO session. A browser names the page's origin in
 * the `Origin` header of every WebSocket handshake and cross-origin request,
 * so a page elsewhere cannot ride on a visitor's browser to reach this
 * server. A request without `Origin` is not from a cross-origin page (other
 * programs, same-origin GETs) and passes: this guards against other web
 * pages, not other programs. No list (the default) allows every origin.
 */

/** `https://Example.com:443/` and `https://example.com:443` compare equal. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/** Parses the option's comma-separated list; `*` (or nothing) allows all. */
export function parseAllowedOrigins(list: string): string[] | undefined {
  const origins = list
    .split(',')
    .map(normalizeOrigin)
    .filter((origin) => origin !== '');
  return origins.length === 0 || origins.includes('*') ? undefined : origins;
}

export function originAllowed(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined || origin === undefined) return true;
  return allowed.includes(normalizeOrigin(origin));
}

/** The refusal's body: Engine.IO's own Forbidden for its endpoints (the official clients read it), ours elsewhere. */
export function originRefusal(transport: string, origin: string | undefined): string {
  if (transport === 'fallback') return JSON.stringify({ code: 4, message: 'Forbidden' });
  return JSON.stringify({ error: `origin ${JSON.stringify(origin?.slice(0, 200))} is not allowed`, code: 'RTB_ERR_ORIGIN' });
}
