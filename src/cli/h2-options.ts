/**
 * `rtbench serve`'s HTTP/2 options. `--h2` adds, on the same port, HTTP/2
 * with prior knowledge (h2c) and TLS (HTTP/2 or HTTP/1.1 by ALPN) with a
 * self-signed certificate made at start, or the one given by `--tls-cert`
 * and `--tls-key`. Off by default: without it the server is HTTP/1.1 only,
 * exactly as before.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ServerConfig } from '../servers/config.js';
import { selfSignedCertificate } from '../servers/h2/certificate.js';

export interface Http2Options {
  h2?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

export function addHttp2Options(command: Command): Command {
  return command
    .option('--h2', 'HTTP/2 on the same port: cleartext with prior knowledge (h2c), and TLS with a self-signed certificate')
    .option('--tls-cert <file>', 'with --h2: the TLS certificate (PEM) instead of a self-signed one')
    .option('--tls-key <file>', 'with --h2: the private key (PEM) of --tls-cert');
}

export interface Http2Config {
  config: Partial<ServerConfig>;
  /** What to print: where the certificate came from and its fingerprint. */
  note?: string;
}

/** The HTTP/2 part of the server config, or a message naming the bad option. */
export async function http2Config(options: Http2Options, host: string): Promise<Http2Config | string> {
  if (!options.h2) {
    return options.tlsCert || options.tlsKey ? '--tls-cert and --tls-key serve HTTP/2 over TLS; add --h2' : { config: {} };
  }
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) return '--tls-cert and --tls-key go together';
  if (options.tlsCert && options.tlsKey) {
    try {
      const [cert, key] = await Promise.all([readFile(options.tlsCert, 'utf8'), readFile(options.tlsKey, 'utf8')]);
      return { config: { h2: true, tls: { cert, key } }, note: `TLS certificate from ${options.tlsCert}` };
    } catch (error) {
      return `cannot read the TLS certificate or key: ${(error as Error).message}`;
    }
  }
  const generated = await selfSignedCertificate(host === '0.0.0.0' || host === '::' ? [] : [host]);
  return {
    config: { h2: true, tls: { cert: generated.cert, key: generated.key } },
    note: `self-signed TLS certificate made at start, SHA-256 ${generated.fingerprint}`,
  };
}
