/**
 * Small wire helpers of the browser client: URLs, UTF-8 lengths, and HTTP
 * requests whose answers are counted in bytes.
 */

/** Bytes of `text` in UTF-8, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      bytes += 4; // A surrogate pair is one 4-byte character.
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function webSocketUrl(base: string, path: string): string {
  const url = new URL(path, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * Bytes of an HTTP/1.1 answer as the browser hands it over: status line,
 * headers and body. Page scripts cannot see the wire itself; this is what
 * the browser's own transferSize counts too.
 */
export function answerBytes(response: Response, body: string): number {
  let bytes = `HTTP/1.1 ${response.status} ${response.statusText}\r\n`.length + 2;
  response.headers.forEach((value, name) => {
    bytes += name.length + 2 + utf8Length(value) + 2;
  });
  return bytes + utf8Length(body);
}

/** An HTTP error answer, with the server's `{"error","code"}` when it sent one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Fetches and reads the body as text, counting the answer's bytes; throws HttpError for a status >= 400. */
export async function fetchText(url: string, init: RequestInit, countBytes: (bytes: number) => void): Promise<string> {
  const response = await fetch(url, { cache: 'no-store', ...init });
  const body = await response.text();
  countBytes(answerBytes(response, body));
  if (response.status >= 400) {
    let error: { error?: string; message?: string; code?: string | number } = {};
    try {
      error = JSON.parse(body);
    } catch {
      // Not JSON: the status says enough.
    }
    throw new HttpError(response.status, error.error ?? error.message ?? `HTTP ${response.status}`, error.code?.toString());
  }
  return body;
}

/** An AbortSignal that fires after `ms` or when `outer` fires. */
export function timeoutSignal(ms: number, outer?: AbortSignal): AbortSignal {
  const signals = [AbortSignal.timeout(ms)];
  if (outer) signals.push(outer);
  return AbortSignal.any(signals);
}
