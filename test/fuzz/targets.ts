/**
 * The fuzz targets, one per parser family: each turns a generated input
 * into bytes on a raw connection and judges what came back. Any answer a
 * client can be given for bad input is fine (4xx, a close code, an error
 * packet, silence for a request never finished); what is not: a 5xx other
 * than 503, an "internal error" answer (RTB_ERR_INTERNAL, close 1011), or a
 * process that dies (checked by the suite around the targets).
 */
import fc from 'fast-check';
import { FUZZ_SECRET, controlMessage, enginePacket, engineQuery, publishBody, queryString, socketIoMessages } from './inputs.js';
import { printable, sometimesMutated } from './mutate.js';
import { bodyOf, type ClientFrame, closeCodeOf, encodeFrame, exchange, statusOf, type WsOutcome, wsExchange } from './raw-wire.js';

/**
 * How long an answer is waited for; a request still unanswered then is
 * dropped and counts as held. The fuzz server holds nothing longer than
 * its long-poll timeout and ping interval (a few hundred ms).
 */
const DEADLINE_MS = 400;

/** What one input got: a short name for the answer (`202`, `ws 1008`, `held`), and what was wrong with it. */
export interface Verdict {
  answer: string;
  problem?: string;
}

export interface FuzzTarget<T> {
  name: string;
  input: fc.Arbitrary<T>;
  /** The answers that show an input got past the first checks (the suite wants some). */
  accepted: RegExp;
  send(port: number, input: T): Promise<Verdict>;
}

/** The common judgement of an HTTP answer. */
export function judgeHttp(received: Buffer): Verdict {
  const status = statusOf(received);
  const answer = status === undefined ? (received.length === 0 ? 'held' : 'not HTTP') : String(status);
  if (status !== undefined && status >= 500 && status !== 503)
    return { answer, problem: `answered ${status}: ${bodyOf(received).slice(0, 200)}` };
  if (received.includes('RTB_ERR_INTERNAL')) return { answer, problem: `internal error: ${received.toString('latin1').slice(0, 300)}` };
  return { answer };
}

function judgeWs(outcome: WsOutcome): Verdict {
  const http = judgeHttp(outcome.received);
  if (http.problem || outcome.status !== 101) return http;
  const code = closeCodeOf(outcome.frames);
  const answer = `ws ${code ?? (outcome.frames.length > 0 ? 'answered' : 'open')}`;
  return code === 1011 ? { answer, problem: 'closed with 1011 (internal error)' } : { answer };
}

function request(method: string, target: string, headers: string[], body?: Buffer): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers];
  if (body) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body ?? Buffer.alloc(0)]);
}

/** Whole requests, mutated as a whole sometimes, so the HTTP parser is fuzzed too. */
const subscribeRequest = fc
  .record({
    target: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(fc.constantFrom('/poll', '/long-poll', '/sse'), queryString).map(([path, query]) => `${path}?${query}`),
      },
      // Engine.IO handshakes and their checks (transport, EIO, sid) read the query too.
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom('/engine.io/', '/socket.io/'), engineQuery).map(([path, query]) => `${path}?${query}`),
      },
    ),
    header: fc.constantFrom(
      '',
      'Last-Event-ID: 3',
      'Last-Event-ID: fuzz-a:2,b:x',
      'If-None-Match: "0"',
      'Origin: https://elsewhere.example',
    ),
  })
  .map(({ target, header }) => request('GET', target, header ? [header] : []).toString('latin1'));

export const queryTarget: FuzzTarget<Buffer> = {
  name: 'query strings of /poll, /long-poll, /sse, /engine.io/, /socket.io/',
  accepted: /^200$/,
  input: sometimesMutated(subscribeRequest),
  send: async (port, bytes) => judgeHttp(await exchange(port, [bytes], DEADLINE_MS)),
};

const publishRequest = fc
  .record({
    body: sometimesMutated(publishBody),
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', '', 'application/x-www-form-urlencoded', 'APPLICATION/JSON') },
    ),
    auth: fc.oneof(
      { weight: 5, arbitrary: fc.constant(`Bearer ${FUZZ_SECRET}`) },
      { weight: 1, arbitrary: fc.constantFrom('', 'Bearer x', 'Basic a') },
    ),
    chunked: fc.boolean(),
  })
  .map(({ body, type, auth, chunked }) => {
    const headers = [type && `Content-Type: ${type}`, auth && `Authorization: ${auth}`].filter(Boolean) as string[];
    if (!chunked) return printable(request('POST', '/publish', headers, body));
    const chunkedBody = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    return printable(Buffer.concat([request('POST', '/publish', [...headers, 'Transfer-Encoding: chunked']), chunkedBody]));
  });

export const publishTarget: FuzzTarget<Buffer> = {
  name: 'JSON bodies of POST /publish',
  accepted: /^202$/,
  input: publishRequest,
  send: async (port, bytes) => judgeHttp(await exchange(port, [bytes], DEADLINE_MS)),
};

const frameOf = (opcode: number, payload: Buffer, overrides: Partial<ClientFrame> = {}) =>
  printable(encodeFrame({ fin: true, rsv: 0, opcode, payload, masked: true, ...overrides }));

const binaryPayload = fc.uint8Array({ maxLength: 64 }).map((bytes) => printable(Buffer.from(bytes)));
/** Bytes that are not UTF-8: lone continuation bytes, overlongs, surrogates. */
const badUtf8 = fc.constantFrom('c0af', 'ff', 'eda080', 'f4908080', '7bff7d', 'e282').map((hex) => Buffer.from(hex, 'hex'));

function frames(text: fc.Arbitrary<string>): fc.Arbitrary<Buffer[]> {
  const frame = fc.oneof(
    { weight: 30, arbitrary: sometimesMutated(text).map((payload) => frameOf(1, payload)) },
    { weight: 1, arbitrary: binaryPayload.map((payload) => frameOf(2, payload)) },
    { weight: 1, arbitrary: badUtf8.map((payload) => frameOf(1, payload)) },
    { weight: 1, arbitrary: binaryPayload.map((payload) => frameOf(9, payload.subarray(0, 125))) },
    { weight: 1, arbitrary: fc.tuple(fc.nat({ max: 5000 }), smallBytes()).map(([code, rest]) => closeFrame(code, rest)) },
    { weight: 1, arbitrary: text.map((payload) => fragmented(Buffer.from(payload))) },
    {
      weight: 1,
      arbitrary: fc
        .record({ opcode: fc.constantFrom(0, 3, 7, 11, 15), rsv: fc.nat({ max: 7 }), masked: fc.boolean(), payload: binaryPayload })
        .map(({ opcode, rsv, masked, payload }) => frameOf(opcode, payload, { rsv, masked })),
    },
    { weight: 1, arbitrary: binaryPayload },
  );
  return fc.array(frame, { minLength: 1, maxLength: 4 });
}

function smallBytes(): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes));
}

function closeFrame(code: number, rest: Buffer): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return frameOf(8, Buffer.concat([payload, rest]));
}

/** A text message in two fragments: a text frame without FIN, then a continuation. */
function fragmented(payload: Buffer): Buffer {
  const half = payload.length >> 1;
  return printable(Buffer.concat([frameOf(1, payload.subarray(0, half), { fin: false }), frameOf(0, payload.subarray(half))]));
}

const socketIoText = socketIoMessages.map((packets) => packets.map((p) => `4${p}`));
const wsInput = fc.oneof(
  frames(controlMessage).map((list) => ({ path: '/ws', frames: list })),
  frames(enginePacket).map((list) => ({ path: '/engine.io/?EIO=4&transport=websocket', frames: list })),
  fc
    .tuple(socketIoText, frames(socketIoText.map((packets) => packets.at(-1)!)), fc.array(binaryPayload, { maxLength: 3 }))
    .map(([opening, list, attachments]) => ({
      path: '/socket.io/?EIO=4&transport=websocket',
      frames: [...opening.map((text) => frameOf(1, Buffer.from(text))), ...list, ...attachments.map((b) => frameOf(2, b))],
    })),
);

export const websocketTarget: FuzzTarget<{ path: string; frames: Buffer[] }> = {
  name: 'WebSocket frames on /ws, /engine.io/ and /socket.io/',
  accepted: /^ws (answered|open)$/,
  input: wsInput,
  send: async (port, { path, frames: list }) => judgeWs(await wsExchange(port, path, list, DEADLINE_MS)),
};

/** Steps of an Engine.IO polling session after its handshake. */
const pollingStep = (packets: fc.Arbitrary<string[]>) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          sometimesMutated(packets.map((list) => list.join('\x1e'))),
          fc.constantFrom('text/plain;charset=UTF-8', 'application/octet-stream', ''),
        )
        .map(([payload, type]) => ({ kind: 'post' as const, payload, type })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'get' as const }) },
    { weight: 1, arbitrary: queryString.map((query) => ({ kind: 'query' as const, query })) },
  );

const pollingInput = fc.oneof(
  fc.record({
    path: fc.constant('/engine.io/'),
    steps: fc.array(pollingStep(fc.array(enginePacket, { minLength: 1, maxLength: 5 })), { maxLength: 4 }),
  }),
  fc.record({ path: fc.constant('/socket.io/'), steps: fc.array(pollingStep(socketIoText), { maxLength: 4 }) }),
);

type PollingInput = typeof pollingInput extends fc.Arbitrary<infer T> ? T : never;

async function pollingSession(port: number, { path, steps }: PollingInput): Promise<Verdict> {
  const handshake = await exchange(port, [request('GET', `${path}?EIO=4&transport=polling`, [])], 2000);
  const opened = judgeHttp(handshake);
  if (opened.problem) return { answer: opened.answer, problem: `handshake ${opened.problem}` };
  const sid = /"sid":"([^"]+)"/.exec(bodyOf(handshake))?.[1];
  if (!sid) return { answer: opened.answer, problem: statusOf(handshake) === 503 ? undefined : 'no sid in the handshake answer' };
  const session = `${path}?EIO=4&transport=polling&sid=${sid}`;
  const answers: string[] = [];
  for (const step of steps) {
    let bytes: Buffer;
    if (step.kind === 'post') bytes = request('POST', session, step.type ? [`Content-Type: ${step.type}`] : [], step.payload);
    else if (step.kind === 'get') bytes = request('GET', session, []);
    else bytes = request('GET', `${path}?${step.query}&sid=${sid}`, []);
    const verdict = judgeHttp(await exchange(port, [bytes], DEADLINE_MS));
    answers.push(`${step.kind} ${verdict.answer}`);
    if (verdict.problem) return { answer: answers.join(', '), problem: `${step.kind}: ${verdict.problem}` };
  }
  return { answer: answers.at(-1) ?? 'handshake only' };
}

export const pollingTarget: FuzzTarget<PollingInput> = {
  name: 'Engine.IO polling payloads and Socket.IO packets',
  accepted: /post 200/,
  input: pollingInput,
  send: pollingSession,
};

export const TARGETS = [queryTarget, publishTarget, websocketTarget, pollingTarget] as FuzzTarget<unknown>[];
