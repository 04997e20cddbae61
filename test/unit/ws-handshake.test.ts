import { describe, expect, it } from 'vitest';
import { acceptFor, upgradeRefusal, upgradeRequest } from '../../src/clients/ws-handshake.js';

/** The sample handshake of RFC 6455 section 1.3. */
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const answer = (...lines: string[]) =>
  ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', ...lines].join('\r\n');

describe('WebSocket opening handshake (client side)', () => {
  it('asks for the upgrade with exactly the headers the byte meter counts', () => {
    expect(upgradeRequest('/ws', '127.0.0.1:80', KEY)).toBe(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1:80\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });

  it('derives the accept value of the RFC sample key', () => {
    expect(acceptFor(KEY)).toBe(ACCEPT);
  });

  it('takes a 101 with the matching accept, whatever the header case', () => {
    expect(upgradeRefusal(answer(`Sec-WebSocket-Accept: ${ACCEPT}`), KEY)).toBeUndefined();
    expect(upgradeRefusal(answer(`sec-websocket-accept:${ACCEPT}`), KEY)).toBeUndefined();
  });

  it('refuses another status with its status line', () => {
    expect(upgradeRefusal('HTTP/1.1 400 Bad Request\r\ncontent-length: 0', KEY)).toBe(
      'WebSocket handshake refused: HTTP/1.1 400 Bad Request',
    );
  });

  it('refuses a 101 whose accept is wrong or missing', () => {
    expect(upgradeRefusal(answer(`Sec-WebSocket-Accept: ${acceptFor('another key')}`), KEY)).toMatch(
      /Sec-WebSocket-Accept .+ does not match the key/,
    );
    expect(upgradeRefusal(answer(), KEY)).toBe('WebSocket handshake: Sec-WebSocket-Accept missing does not match the key');
  });
});
