/**
 * A self-signed certificate for `rtbench serve --h2`, made at start: a
 * browser speaks HTTP/2 only over TLS, and a benchmark server has no
 * certificate of its own. `selfsigned` builds the X.509 certificate (on
 * WebCrypto); the key is ECDSA P-256, the cheapest handshake a browser
 * accepts. It names localhost and the loopback addresses; a browser still
 * warns (nobody vouches for it) unless told to trust it.
 */
import { X509Certificate } from 'node:crypto';
import type { TlsCredentials } from './http2-endpoints.js';

const VALID_DAYS = 30;

export interface GeneratedCertificate extends TlsCredentials {
  /** SHA-256 fingerprint, as browsers show it (AA:BB:...). */
  fingerprint: string;
}

export async function selfSignedCertificate(extraHosts: string[] = []): Promise<GeneratedCertificate> {
  const now = Date.now();
  const names = [...new Set(['localhost', ...extraHosts.filter((host) => !isIp(host))])];
  const ips = [...new Set(['127.0.0.1', '::1', ...extraHosts.filter(isIp)])];
  // Loaded here, not at the top: most servers never need a certificate, and
  // selfsigned's X.509 stack is a large share of a server process's start-up.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'rtbench serve' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + VALID_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
