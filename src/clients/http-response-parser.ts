/**
 * An incremental HTTP/1.1 response parser for the lean polling and SSE
 * clients: status line and headers, then a body framed by Content-Length or
 * chunked encoding (streamed to the caller as it arrives, as SSE needs), or
 * no body (304). Pipelining is not supported: one response at a time.
 */
export interface ResponseHead {
  status: number;
  headers: Map<string, string>;
}

export interface ResponseHandlers {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  Done,
}

export class HttpProtocolError extends Error {
  readonly code = 'RTB_ERR_HTTP_PROTOCOL';
}

export class ResponseParser {
  #state = State.Head;
  #buffer: Buffer = Buffer.alloc(0);
  #remaining = 0;

  constructor(private readonly handlers: ResponseHandlers) {}

  /** Feeds bytes; throws HttpProtocolError on a malformed response. */
  push(data: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    while (this.#buffer.length > 0 && this.#step()) {
      // keep going while a step consumed something
    }
  }

  /** True between responses (nothing half-read). */
  get idle(): boolean {
    return (this.#state === State.Head || this.#state === State.Done) && this.#buffer.length === 0;
  }

  #step(): boolean {
    switch (this.#state) {
      case State.Done:
        this.#state = State.Head;
        return true;
      case State.Head:
        return this.#readHead();
      case State.Length: {
        const take = Math.min(this.#remaining, this.#buffer.length);
        this.handlers.onBody(this.#buffer.subarray(0, take));
        this.#buffer = this.#buffer.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#finish();
        return true;
      }
      case State.ChunkSize: {
        const end = this.#buffer.indexOf(CRLF);
        if (end === -1) return false;
        const size = parseInt(this.#buffer.toString('latin1', 0, end).split(';')[0]!, 16);
        if (!Number.isFinite(size) || size < 0) throw new HttpProtocolError('bad chunk size');
        this.#buffer = this.#buffer.subarray(end + 2);
        this.#remaining = size;
        this.#state = size === 0 ? State.Trailer : State.ChunkData;
        return true;
      }
      case State.ChunkData: {
        const take = Math.min(this.#remaining, this.#buffer.length);
        if (take > 0) this.handlers.onBody(this.#buffer.subarray(0, take));
        this.#buffer = this.#buffer.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = State.ChunkDataEnd;
        return take > 0;
      }
      case State.ChunkDataEnd:
        if (this.#buffer.length < 2) return false;
        this.#buffer = this.#buffer.subarray(2);
        this.#state = State.ChunkSize;
        return true;
      case State.Trailer: {
        const end = this.#buffer.indexOf(CRLF);
        if (end === -1) return false;
        this.#buffer = this.#buffer.subarray(end + 2);
        if (end === 0) this.#finish();
        return true;
      }
    }
  }

  #readHead(): boolean {
    const end = this.#buffer.indexOf(HEAD_END);
    if (end === -1) {
      if (this.#buffer.length > MAX_HEAD) throw new HttpProtocolError('response head too large');
      return false;
    }
    const lines = this.#buffer.toString('latin1', 0, end).split('\r\n');
    this.#buffer = this.#buffer.subarray(end + 4);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (!status) throw new HttpProtocolError(`bad status line: ${lines[0]}`);
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i]!.indexOf(':');
      if (colon > 0) headers.set(lines[i]!.slice(0, colon).trim().toLowerCase(), lines[i]!.slice(colon + 1).trim());
    }
    const code = Number(status[1]);
    this.handlers.onHead({ status: code, headers });
    if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
      this.#state = State.ChunkSize;
    } else if (code === 204 || code === 304 || (code >= 100 && code < 200)) {
      this.#finish();
    } else {
      const length = Number(headers.get('content-length') ?? 'NaN');
      if (!Number.isSafeInteger(length) || length < 0) {
        throw new HttpProtocolError('response without Content-Length or chunked encoding');
      }
      this.#remaining = length;
      if (length === 0) this.#finish();
      else this.#state = State.Length;
    }
    return true;
  }

  #finish(): void {
    this.#state = State.Done;
    this.handlers.onEnd();
  }
}
