import { describe, expect, it } from 'vitest';
import { HttpProtocolError, ResponseParser } from '../../src/clients/http-response-parser.js';

function parseAll(chunks: string[]) {
  const events: string[] = [];
  const parser = new ResponseParser({
    onHead: (head) => events.push(`head ${head.status} ${[...head.headers].map(([k, v]) => `${k}=${v}`).join(';')}`),
    onBody: (chunk) => events.push(`body ${chunk.toString()}`),
    onEnd: () => events.push('end'),
  });
  for (const chunk of chunks) parser.push(Buffer.from(chunk));
  return events;
}

describe('ResponseParser', () => {
  it('reads Content-Length bodies and a bodiless 304 on one connection', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 304 Not Modified\r\nETag: "2"\r\n\r\n';
    expect(parseAll([text])).toEqual(['head 200 content-length=5', 'body hello', 'end', 'head 304 etag="2"', 'end']);
  });

  it('reads a chunked stream split at every byte', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n:ok\n\n\r\na\r\n0123456789\r\n0\r\n\r\n';
    const events = parseAll([...text]);
    expect(events[0]).toBe('head 200 transfer-encoding=chunked');
    expect(
      events
        .filter((e) => e.startsWith('body'))
        .map((e) => e.slice(5))
        .join(''),
    ).toBe(':ok\n\n0123456789');
    expect(events.at(-1)).toBe('end');
  });

  it('refuses a response it cannot frame', () => {
    expect(() => parseAll(['HTTP/1.1 200 OK\r\n\r\n'])).toThrow(HttpProtocolError);
    expect(() => parseAll(['SMTP ready\r\n\r\n'])).toThrow(/bad status line/);
  });
});
