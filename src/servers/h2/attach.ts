/** Puts HTTP/2 (h2c, and TLS when configured) on an app's HTTP/1.1 server and port. */
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config.js';
import { createHttp2Endpoints, type Http2Endpoints, type RequestHandler } from './http2-endpoints.js';
import { installProtocolSniff } from './protocol-sniff.js';

export function attachHttp2(
  server: http.Server,
  handle: RequestHandler,
  config: ServerConfig,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Http2Endpoints {
  const endpoints = createHttp2Endpoints(handle, config, onUpgrade);
  installProtocolSniff(server, { h2c: endpoints.h2c, tls: endpoints.tls, headerTimeoutMs: config.headerTimeoutMs });
  return endpoints;
}
