/**
 * Writes to a response that came over HTTP/2 (Node's compatibility API),
 * for transports that keep a response open and write to it as updates come
 * (SSE). Over HTTP/1.1 they write ready-framed bytes to the socket; here
 * the socket carries every stream of the connection in frames, so the
 * bytes go through the stream, which Node frames as DATA.
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';

export function http2StreamWriter(res: ServerResponse, maxBuffered: number): (bytes: Buffer) => void {
  const stream = (res as unknown as Http2ServerResponse).stream;
  return (bytes) => {
    if (stream.destroyed || stream.closed) return;
    stream.write(bytes);
    // The unsent backlog of a client that reads too slowly (HTTP/2 flow
    // control holds it here): the stream is reset, the connection stays.
    if (stream.writableLength > maxBuffered) stream.close(0x8 /* CANCEL */);
  };
}
