/**
 * gzip for poll bodies (`rtbench serve --gzip`): a body of at least the
 * threshold goes out gzipped when the request's Accept-Encoding takes gzip.
 * Each body is compressed on its own (HTTP has no shared dictionary), so a
 * small body pays gzip's 18 bytes of header and trailer against what it
 * saves; that is the trade the option exists to measure.
 */
import { gzipSync } from 'node:zlib';

/** Every body, unless told: a threshold above the bodies would measure nothing (see ws-deflate.ts for the same choice). */
export const DEFAULT_GZIP_THRESHOLD = 0;

export interface GzipConfig {
  threshold: number;
}

/** True when `gzip` (or `x-gzip`, RFC 9110 8.4.1.3) is listed with a q above 0, or `*` is. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const item of header.split(',')) {
    const [coding, ...parameters] = item.split(';').map((part) => part.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = parameters.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/** The body as it goes on the wire, and its Content-Encoding when compressed. */
export function encodeBody(
  body: string,
  acceptEncoding: string | undefined,
  gzip: GzipConfig | undefined,
): { body: Buffer | string; encoding?: 'gzip' } {
  if (!gzip || Buffer.byteLength(body) < gzip.threshold || !acceptsGzip(acceptEncoding)) return { body };
  return { body: gzipSync(body), encoding: 'gzip' };
}
