/**
 * Raw TCP clients for the attack tests: bytes written exactly as given (a
 * slowloris trickle, an oversized head, a body that never ends), and what
 * came back with the time the server closed the connection.
 */
import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent, as latin1 text. */
  readonly received: string;
  /** Milliseconds from connect to the server's close. */
  readonly closedAfterMs: number;
}

export interface RawConnection {
  readonly socket: net.Socket;
  /** Resolves when the connection closes (either side), or rejects after `timeoutMs`. */
  readonly closed: Promise<RawExchange>;
}

/** Connects, lets `drive` write, and collects the answer until the connection closes. */
export function rawConnection(port: number, drive: (socket: net.Socket) => void, timeoutMs = 15_000): RawConnection {
  const socket = net.connect(port, '127.0.0.1');
  const started = Date.now();
  let received = '';
  socket.on('error', () => {});
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise<RawExchange>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after ${timeoutMs} ms; received ${JSON.stringify(received.slice(0, 200))}`));
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
  socket.once('connect', () => drive(socket));
  return { socket, closed };
}

/** Writes `text` one byte every `intervalMs` until the socket closes or the text runs out. */
export function trickle(text: string, intervalMs: number): (socket: net.Socket) => void {
  return (socket) => {
    let next = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || !socket.writable || next >= text.length) {
        clearInterval(timer);
        return;
      }
      socket.write(text[next++]!);
    }, intervalMs);
    socket.once('close', () => clearInterval(timer));
  };
}

/** The status line of a raw answer, e.g. `HTTP/1.1 408 Request Timeout`. */
export function statusLine(received: string): string {
  return received.split('\r\n', 1)[0]!;
}

/** The JSON body of a raw answer with a content-length. */
export function jsonBody(received: string): unknown {
  const split = received.indexOf('\r\n\r\n');
  return JSON.parse(received.slice(split + 4));
}
