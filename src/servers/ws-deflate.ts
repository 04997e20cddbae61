/**
 * permessage-deflate (RFC 7692) for the server's WebSockets (`/ws` and the
 * Engine.IO / Socket.IO upgrade): off unless `rtbench serve --ws-deflate`,
 * and then negotiated only with clients that offer it, so a client that does
 * not (the lean `ws` load client) is served exactly as before.
 *
 * It is off by default, as in `ws` and engine.io, because it is not free: with
 * context takeover every connection keeps its compressor between messages,
 * which zlib sizes at (1 << (windowBits + 2)) + (1 << (memLevel + 9)) bytes:
 * about 256 KB at the defaults (window 15, memLevel 8), on top of the
 * connection's own few KB (measured figures: README, "The 871 bytes today").
 */
import type WebSocket from 'ws';

export interface WsDeflateConfig {
  /** LZ77 window of the server's compressor, 2^N bytes (RFC 7692 server_max_window_bits). */
  serverMaxWindowBits: number;
  /** Largest window the client's compressor may use (client_max_window_bits). */
  clientMaxWindowBits: number;
  /** The server resets its compressor after every message: far less memory per idle connection, worse ratio. */
  serverNoContextTakeover: boolean;
  /** Asks the client to reset its compressor after every message. */
  clientNoContextTakeover: boolean;
  /** Messages shorter than this many bytes are sent uncompressed. */
  threshold: number;
}

/**
 * The RFC's defaults (window 15, context takeover on both sides), except the
 * threshold: `ws` compresses from 1,024 bytes, but real-time updates are
 * mostly smaller than that, and a threshold above them would measure no
 * compression at all, so rtbench compresses every message unless told.
 */
export const DEFAULT_WS_DEFLATE: Readonly<WsDeflateConfig> = Object.freeze({
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  threshold: 0,
});

/**
 * Window sizes rtbench accepts. RFC 7692 allows 8, but zlib's raw deflate
 * cannot make an 8-bit window (it uses 9 instead), so 9 is the smallest
 * that means what it says.
 */
export const WINDOW_BITS = { min: 9, max: 15 } as const;

/** The `perMessageDeflate` option of a `ws` WebSocketServer. */
export function perMessageDeflateOptions(config: WsDeflateConfig | undefined): WebSocket.PerMessageDeflateOptions | false {
  if (!config) return false;
  return {
    // 15 is what the absence of the parameter means (RFC 7692 7.1.2), so it is left out of the answer.
    serverMaxWindowBits: config.serverMaxWindowBits === 15 ? undefined : config.serverMaxWindowBits,
    clientMaxWindowBits: config.clientMaxWindowBits === 15 ? undefined : config.clientMaxWindowBits,
    serverNoContextTakeover: config.serverNoContextTakeover,
    clientNoContextTakeover: config.clientNoContextTakeover,
    threshold: config.threshold,
  };
}
