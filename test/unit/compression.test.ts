/**
 * The pure and bounded parts of compression: the client's reading of a
 * permessage-deflate answer, the handshake's refusal of an extension it did
 * not offer, Accept-Encoding, the serve options, and the bounds on what a
 * compressed message or body may inflate to (each hit with real zlib data).
 */
import net, { type Socket } from 'node:net';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptEncodingLine } from '../../src/clients/header-profiles.js';
import { decodeBody, MAX_POLL_BODY_BYTES } from '../../src/clients/poll-response.js';
import { acceptFor, upgradeRefusal } from '../../src/clients/ws-handshake.js';
import { MAX_INFLATED_BYTES, MAX_PENDING_MESSAGES, MessageInflater, parseDeflateAnswer } from '../../src/clients/ws-inflate.js';
import { addCompressionOptions, compressionConfig } from '../../src/cli/compression-options.js';
import { acceptsGzip, encodeBody } from '../../src/servers/polling/gzip-body.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('permessage-deflate answer (client side)', () => {
  it('reads the parameters, RFC defaults when absent', () => {
    expect(parseDeflateAnswer('permessage-deflate')).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
    expect(
      parseDeflateAnswer('permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits="12"'),
    ).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 12,
    });
  });

  it('refuses another extension, a bad or repeated parameter', () => {
    expect(parseDeflateAnswer('x-webkit-deflate-frame')).toBeInstanceOf(Error);
    expect(parseDeflateAnswer('permessage-deflate, permessage-deflate')).toBeInstanceOf(Error);
    expect((parseDeflateAnswer('permessage-deflate; server_max_window_bits=16') as Error).message).toMatch(
      /invalid .*server_max_window_bits=16/,
    );
    expect((parseDeflateAnswer('permessage-deflate; server_no_context_takeover; server_no_context_takeover') as Error).message).toMatch(
      /twice/,
    );
  });

  it('a handshake answer with an extension the client did not offer is refused', () => {
    const answer = `HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${acceptFor(KEY)}\r\nSec-WebSocket-Extensions: permessage-deflate`;
    expect(upgradeRefusal(answer, KEY)).toBe('WebSocket handshake: extensions "permessage-deflate" were not offered');
    expect(upgradeRefusal(answer, KEY, true)).toBeUndefined();
  });
});

describe('gzip negotiation', () => {
  it('Accept-Encoding: gzip, x-gzip or * with q above 0', () => {
    expect(acceptsGzip('gzip, deflate, br, zstd')).toBe(true);
    expect(acceptsGzip('deflate, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0, br')).toBe(false);
    expect(acceptsGzip('br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('the server compresses at or above the threshold only, for a request that accepts it', () => {
    const body = '{"cursor":1,"messages":[]}';
    expect(encodeBody(body, 'gzip', undefined)).toEqual({ body });
    expect(encodeBody(body, 'br', { threshold: 0 })).toEqual({ body });
    expect(encodeBody(body, 'gzip', { threshold: body.length + 1 })).toEqual({ body });
    expect(encodeBody(body, 'gzip', { threshold: body.length })).toEqual({ body: gzipSync(body), encoding: 'gzip' });
  });

  it('the client asks for gzip only when its header profile does not already', () => {
    expect(acceptEncodingLine('minimal', true)).toBe('Accept-Encoding: gzip\r\n');
    expect(acceptEncodingLine('minimal', false)).toBe('');
    expect(acceptEncodingLine('browser', true)).toBe('');
  });

  it('a body that inflates past the bound, or in a coding never asked for, is an error', () => {
    expect(decodeBody(gzipSync('{"a":1}'), 'gzip').toString()).toBe('{"a":1}');
    expect(() => decodeBody(gzipSync(Buffer.alloc(MAX_POLL_BODY_BYTES + 1)), 'gzip')).toThrow(/buffer|length/i);
    expect(() => decodeBody(Buffer.from('x'), 'br')).toThrow(/content-encoding br/);
  });
});

describe('rtbench serve compression options', () => {
  const parse = (...args: string[]) =>
    compressionConfig(
      addCompressionOptions(new Command())
        .exitOverride()
        .configureOutput({ writeErr: () => {} })
        .parse(args, { from: 'user' })
        .opts(),
    );

  it('off unless switched on; defaults documented in ws-deflate.ts and gzip-body.ts', () => {
    expect(parse()).toEqual({ wsDeflate: undefined, gzip: undefined });
    expect(parse('--ws-deflate', '--gzip')).toEqual({
      wsDeflate: {
        serverMaxWindowBits: 15,
        clientMaxWindowBits: 15,
        serverNoContextTakeover: false,
        clientNoContextTakeover: false,
        threshold: 0,
      },
      gzip: { threshold: 0 },
    });
    expect(
      parse('--ws-deflate', '--deflate-server-max-window-bits', '10', '--deflate-server-no-context-takeover', '--deflate-threshold', '1kb'),
    ).toMatchObject({
      wsDeflate: { serverMaxWindowBits: 10, serverNoContextTakeover: true, threshold: 1024 },
    });
  });

  it('a parameter without its switch, or a window out of range, is refused by name', () => {
    expect(parse('--deflate-threshold', '10')).toBe('the --deflate-* options need --ws-deflate');
    expect(parse('--gzip-threshold', '10')).toBe('--gzip-threshold needs --gzip');
    expect(() => parse('--ws-deflate', '--deflate-server-max-window-bits', '8')).toThrow(/from 9 to 15/);
  });
});

describe('MessageInflater bounds (a real socket, real zlib data)', () => {
  let server: net.Server | undefined;
  afterEach(() => server?.close());

  async function socketPair(): Promise<Socket> {
    server = net.createServer((peer) => peer.on('error', () => {}));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }
  const parameters = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const compress = (data: Buffer) => {
    const out = deflateRawSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    return out.subarray(0, out.length - 4);
  };

  for (const takeover of [true, false]) {
    it(`a message that inflates past ${MAX_INFLATED_BYTES} bytes ends the connection (context takeover ${takeover})`, async () => {
      const socket = await socketPair();
      const inflater = new MessageInflater<null>({ ...parameters, serverNoContextTakeover: !takeover }, socket);
      const delivered: number[] = [];
      inflater.message(null, compress(Buffer.alloc(MAX_INFLATED_BYTES + 1)), true, 0, (_, payload) => delivered.push(payload.length));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(socket.errored?.message).toMatch(/permessage-deflate: .*(8388608|buffer|length)/i);
      expect(delivered).toEqual([]);
    });
  }

  it(`keeps order, and stops reading the socket while ${MAX_PENDING_MESSAGES} messages wait`, async () => {
    const socket = await socketPair();
    const inflater = new MessageInflater<null>(parameters, socket);
    const order: string[] = [];
    const onMessage = (_: null, payload: Buffer) => order.push(payload.toString());
    const texts = Array.from({ length: MAX_PENDING_MESSAGES }, (_, i) => `message ${i}`);
    // One raw deflate stream for all of them, as a server with context takeover sends them.
    const whole = deflateRawSync(Buffer.from(texts.join('')), { finishFlush: 2 });
    inflater.message(null, whole.subarray(0, whole.length - 4), true, 0, onMessage);
    for (let i = 1; i < MAX_PENDING_MESSAGES; i++) inflater.message(null, Buffer.from(`plain ${i}`), false, 0, onMessage);
    expect(socket.isPaused()).toBe(true);
    // Inflating 64 messages takes a few ms on a quiet machine and far longer on a loaded one.
    const deadline = Date.now() + 5000;
    while (socket.isPaused() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(socket.isPaused()).toBe(false);
    expect(order).toEqual([texts.join(''), ...Array.from({ length: MAX_PENDING_MESSAGES - 1 }, (_, i) => `plain ${i + 1}`)]);
    inflater.close();
    socket.destroy();
  });
});
