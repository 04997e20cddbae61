/**
 * The lean WebSocket client's handshake against a scripted server on a raw
 * socket: the accept value is checked, and frames that arrive in the same
 * chunk as the 101 are read, not lost with the handshake.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WsClient } from '../../src/clients/ws-client.js';
import { acceptFor } from '../../src/clients/ws-handshake.js';
import { clientEnvironment } from '../helpers/client-env.js';

let server: net.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** An unmasked server text frame (payloads under 126 bytes). */
const serverFrame = (text: string) => Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);

/** Answers every upgrade request with one write: a 101 whose accept `acceptOf` makes, then `after`. */
async function scriptedServer(acceptOf: (key: string) => string, after: Buffer = Buffer.alloc(0)): Promise<number> {
  server = net.createServer((socket) => {
    socket.once('data', (request) => {
      const key = /Sec-WebSocket-Key: (\S+)/.exec(request.toString())![1]!;
      const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptOf(key)}\r\n\r\n`;
      socket.write(Buffer.concat([Buffer.from(head), after]));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

it('refuses a 101 whose Sec-WebSocket-Accept does not answer its key', async () => {
  const port = await scriptedServer(() => acceptFor('some other key'));
  const client = new WsClient(clientEnvironment(), { host: '127.0.0.1', port }, 'news');
  await expect(client.open()).rejects.toThrow(/Sec-WebSocket-Accept .+ does not match the key/);
  expect(client.state).toBe('failed');
});

it('reads the frames that came in the same chunk as the 101', async () => {
  const envelope = '{"channel":"news","event":"update","seq":1,"ts":1,"data":"x"}';
  const port = await scriptedServer(
    acceptFor,
    Buffer.concat([serverFrame('{"op":"subscribed","channel":"news","seq":0}'), serverFrame(envelope)]),
  );
  const clientEnv = clientEnvironment();
  const client = new WsClient(clientEnv, { host: '127.0.0.1', port }, 'news');
  await client.open();
  expect(client.state).toBe('open');
  expect(clientEnv.deliveries.delivered).toBe(1);
  client.close();
});
