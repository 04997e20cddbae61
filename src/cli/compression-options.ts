/**
 * `rtbench serve`'s compression options: permessage-deflate on WebSockets
 * (`--ws-deflate` and its RFC 7692 parameters) and gzip on poll bodies
 * (`--gzip`). Both are off by default and negotiated: a client that does not
 * offer the extension or accept gzip is served as before.
 */
import type { Command } from 'commander';
import { DEFAULT_GZIP_THRESHOLD } from '../servers/polling/gzip-body.js';
import { DEFAULT_WS_DEFLATE, WINDOW_BITS, type WsDeflateConfig } from '../servers/ws-deflate.js';
import { integerOption, sizeOption } from './options.js';

export interface CompressionOptions {
  wsDeflate?: boolean;
  deflateServerMaxWindowBits?: number;
  deflateClientMaxWindowBits?: number;
  deflateServerNoContextTakeover?: boolean;
  deflateClientNoContextTakeover?: boolean;
  deflateThreshold?: number;
  gzip?: boolean;
  gzipThreshold?: number;
}

const bits = () => integerOption(WINDOW_BITS.min, WINDOW_BITS.max);

export function addCompressionOptions(command: Command): Command {
  return command
    .option('--ws-deflate', 'permessage-deflate (RFC 7692) on WebSockets whose client offers it')
    .option(
      '--deflate-server-max-window-bits <n>',
      `server compressor window, 2^n bytes (default ${DEFAULT_WS_DEFLATE.serverMaxWindowBits})`,
      bits(),
    )
    .option('--deflate-client-max-window-bits <n>', `client compressor window (default ${DEFAULT_WS_DEFLATE.clientMaxWindowBits})`, bits())
    .option('--deflate-server-no-context-takeover', 'the server resets its compressor after every message')
    .option('--deflate-client-no-context-takeover', 'ask clients to reset their compressor after every message')
    .option(
      '--deflate-threshold <bytes>',
      `send shorter messages uncompressed (default ${DEFAULT_WS_DEFLATE.threshold})`,
      sizeOption(0, 1024 ** 3),
    )
    .option('--gzip', 'gzip poll bodies (/poll, /long-poll) for requests with Accept-Encoding: gzip')
    .option('--gzip-threshold <bytes>', `send shorter bodies uncompressed (default ${DEFAULT_GZIP_THRESHOLD})`, sizeOption(0, 1024 ** 3));
}

/** The server's compression settings, or the message naming an option that needs its switch. */
export function compressionConfig(options: CompressionOptions): { wsDeflate?: WsDeflateConfig; gzip?: { threshold: number } } | string {
  const deflateParameters = [
    options.deflateServerMaxWindowBits,
    options.deflateClientMaxWindowBits,
    options.deflateServerNoContextTakeover,
    options.deflateClientNoContextTakeover,
    options.deflateThreshold,
  ];
  if (!options.wsDeflate && deflateParameters.some((value) => value !== undefined)) return 'the --deflate-* options need --ws-deflate';
  if (!options.gzip && options.gzipThreshold !== undefined) return '--gzip-threshold needs --gzip';
  return {
    wsDeflate: options.wsDeflate
      ? {
          serverMaxWindowBits: options.deflateServerMaxWindowBits ?? DEFAULT_WS_DEFLATE.serverMaxWindowBits,
          clientMaxWindowBits: options.deflateClientMaxWindowBits ?? DEFAULT_WS_DEFLATE.clientMaxWindowBits,
          serverNoContextTakeover: options.deflateServerNoContextTakeover ?? DEFAULT_WS_DEFLATE.serverNoContextTakeover,
          clientNoContextTakeover: options.deflateClientNoContextTakeover ?? DEFAULT_WS_DEFLATE.clientNoContextTakeover,
          threshold: options.deflateThreshold ?? DEFAULT_WS_DEFLATE.threshold,
        }
      : undefined,
    gzip: options.gzip ? { threshold: options.gzipThreshold ?? DEFAULT_GZIP_THRESHOLD } : undefined,
  };
}
