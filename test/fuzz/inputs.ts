/**
 * Generators of hostile and half-valid inputs for every parser of the
 * server: query strings, publish bodies, /ws control messages, Engine.IO
 * packets and payloads, Socket.IO packets. Each mixes well-formed values (so
 * the input gets past the first check and reaches the deeper ones) with
 * wrong types, boundary numbers, odd Unicode, deep nesting and junk.
 * Channel names never collide with the watched channel (`steady-<uuid>`).
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';

export const FUZZ_SECRET = 'fuzz-s3cret';

const smallText = fc.string({ maxLength: 12 });
const anyText = fc.oneof(
  smallText,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\u2028', '%', '%zz', '..', '__proto__', 'constructor', 'NaN', 'null'),
);

const validChannel = fc.stringMatching(/^fuzz[A-Za-z0-9_.:~-]{0,12}$/);
export const channelName: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: validChannel },
  { weight: 2, arbitrary: validChannel.map((name) => `private-${name}`) },
  { weight: 1, arbitrary: fc.constant(`fuzz${'x'.repeat(124)}`) },
  { weight: 1, arbitrary: fc.constant(`fuzz${'x'.repeat(125)}`) },
  { weight: 1, arbitrary: anyText },
);

const bigNumbers = fc.constantFrom(0, 1, -1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER);
const cursorValue: fc.Arbitrary<unknown> = fc.oneof(
  // The fuzzed channels are mostly new: 0 (or a little past the head) reaches the deeper paths.
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.nat({ max: 5 }) },
  { weight: 1, arbitrary: bigNumbers },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom('0', '7', '-1', '1e3', '007', '9'.repeat(20), null, true, [], {}, [1]) },
);

/** Nesting `depth` deep, as text (building it as a value would overflow the generator's own stack). */
export function deeplyNested(depth: number, open = '[', close = ']'): string {
  return open.repeat(depth) + close.repeat(depth);
}

const deepText = fc.oneof(
  fc.integer({ min: 1, max: 200 }).map((d) => deeplyNested(d)),
  fc.integer({ min: 1000, max: 30_000 }).map((d) => deeplyNested(d)),
  fc.integer({ min: 100, max: 5000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
);

/** A JSON value as text: ordinary, or nested deep enough to break a recursive encoder. */
export const jsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: deepText },
);

/** A subscription token as the application's back end would make it (channel-auth.ts). */
export function tokenFor(connectionId: string, channel: string): string {
  return createHmac('sha256', FUZZ_SECRET).update(`${connectionId}:${channel}`).digest('hex');
}

const clientId = fc.stringMatching(/^[A-Za-z0-9_.~-]{1,16}$/);
const eventName = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z]{1,10}$/) }, { weight: 1, arbitrary: smallText });
const hexToken = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex'));
const tokenValue: fc.Arbitrary<unknown> = fc.oneof(hexToken, anyText, fc.constantFrom(FUZZ_SECRET, null, 1, ['a']));

/** Splices raw JSON texts into an object, so deep values reach the server as sent. */
function objectText(fields: [string, string | undefined][]): string {
  return `{${fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}:${value}`)
    .join(',')}}`;
}

const json = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => JSON.stringify(value));
const optional = (arbitrary: fc.Arbitrary<string>) => fc.option(arbitrary, { nil: undefined });

const channelField = fc.oneof(
  { weight: 8, arbitrary: json(channelName) },
  { weight: 1, arbitrary: json(fc.array(channelName, { maxLength: 6 })) },
  { weight: 1, arbitrary: json(fc.constant(Array.from({ length: 1001 }, (_, i) => `fuzz-many-${i}`))) },
  { weight: 1, arbitrary: jsonText },
);

/** `{op, channel, cursor, client, token, event, data, id}` with any of them wrong or missing. */
export const controlMessage: fc.Arbitrary<string> = fc
  .record({
    op: json(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('subscribe', 'unsubscribe', 'publish') },
        { weight: 1, arbitrary: anyText },
        { weight: 1, arbitrary: cursorValue },
      ),
    ),
    channel: optional(channelField),
    cursor: optional(json(cursorValue)),
    client: optional(json(fc.oneof(clientId, anyText))),
    token: optional(json(tokenValue)),
    event: optional(json(fc.oneof(eventName, fc.constant('x'.repeat(129)), cursorValue))),
    data: optional(jsonText),
    id: optional(jsonText),
  })
  .map((fields) => objectText(Object.entries(fields)));

/** A publish body: a well-formed request most of the time, any JSON or bytes otherwise. */
export const publishBody: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        channel: optional(channelField),
        event: optional(json(fc.oneof({ weight: 4, arbitrary: eventName }, { weight: 1, arbitrary: cursorValue }))),
        data: optional(jsonText),
        ts: optional(
          json(fc.oneof({ weight: 4, arbitrary: fc.double({ min: 1, max: 4e12, noNaN: true }) }, { weight: 1, arbitrary: fc.double() })),
        ),
      })
      .map((fields) => objectText(Object.entries(fields))),
  },
  { weight: 1, arbitrary: jsonText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
);

const queryName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('channel', 'cursor', 'timeout', 'client', 'token') },
  { weight: 1, arbitrary: anyText },
);
const queryValue = fc.oneof(
  fc.array(channelName, { minLength: 1, maxLength: 4 }).map((names) => names.join(',')),
  fc.array(cursorValue, { minLength: 1, maxLength: 4 }).map((values) => values.map(String).join(',')),
  fc.integer({ min: -5, max: 400 }).map(String),
  hexToken,
  anyText,
);

/** Percent-encodes the UTF-8 bytes (a lone surrogate, which encodeURIComponent refuses, becomes U+FFFD). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const encodePairs = (pairs: [string, string][], encode: boolean) =>
  pairs.map(([name, value]) => (encode ? `${percentEncode(name)}=${percentEncode(value)}` : `${name}=${value}`)).join('&');

/** Channels with as many cursors (most of the time), a short timeout, maybe a client id and token. */
const subscriptionPairs: fc.Arbitrary<[string, string][]> = fc
  .record({
    channels: fc.array(channelName, { minLength: 1, maxLength: 3 }),
    cursors: fc.array(cursorValue, { minLength: 1, maxLength: 4 }),
    matching: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    timeout: fc.option(fc.integer({ min: -5, max: 120 }), { nil: undefined }),
    client: fc.option(fc.oneof(clientId, anyText), { nil: undefined }),
    token: fc.option(hexToken, { nil: undefined }),
    signed: fc.boolean(),
  })
  .map(({ channels, cursors, matching, timeout, client, token, signed }) => {
    const cursorList = matching ? channels.map((_, i) => String(cursors[i % cursors.length])) : cursors.map(String);
    const pairs: [string, string][] = [
      ['channel', channels.join(',')],
      ['cursor', cursorList.join(',')],
    ];
    if (timeout !== undefined) pairs.push(['timeout', String(timeout)]);
    if (client !== undefined) pairs.push(['client', client]);
    if (token !== undefined) pairs.push(['token', token]);
    // Valid tokens for the private channels, so the requests get past the check too.
    if (signed && client !== undefined) pairs.push(['token', channels.map((channel) => tokenFor(client, channel)).join(',')]);
    return pairs;
  });

/** A query string for the subscribing GETs, percent-encoded as a client would, or raw. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: subscriptionPairs.map((pairs) => encodePairs(pairs, true)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(fc.tuple(queryName, queryValue), { maxLength: 7 }), fc.boolean())
      .map(([pairs, encode]) => encodePairs(pairs, encode)),
  },
);

/** An Engine.IO request's query: protocol version, transport, sid and cache-buster, right or wrong. */
export const engineQuery: fc.Arbitrary<string> = fc
  .record({
    EIO: fc.option(fc.constantFrom('4', '3', '5', '', '04', 'x'), { nil: undefined }),
    transport: fc.option(fc.constantFrom('polling', 'websocket', 'flashsocket', '', 'POLLING'), { nil: undefined }),
    sid: fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{20}$/), anyText), { nil: undefined }),
    t: fc.option(smallText, { nil: undefined }),
    extra: fc.array(fc.tuple(queryName, queryValue), { maxLength: 2 }),
  })
  .map(({ extra, ...fields }) => {
    const pairs = Object.entries(fields).filter((pair): pair is [string, string] => pair[1] !== undefined);
    return encodePairs([...pairs, ...extra], true);
  });

/** An Engine.IO packet as text (type digit and data), a binary one on polling (`b` + base64), or junk. */
export const enginePacket: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: controlMessage.map((text) => `4${text}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('0', '1', '2', '3', '5', '6', '7', '9'), smallText).map(([t, d]) => t + d) },
  { weight: 1, arbitrary: fc.constantFrom('2probe', '3probe', '5', '6', '1', '') },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }).map((bytes) => `b${Buffer.from(bytes).toString('base64')}`) },
  { weight: 1, arbitrary: fc.constantFrom('b', 'b!!!', 'b====') },
);

const socketIoEvent = fc.oneof(
  fc
    .tuple(fc.constantFrom('subscribe', 'unsubscribe', 'publish'), controlMessage)
    .map(([name, argument]) => `[${JSON.stringify(name)},${argument}]`),
  fc.tuple(fc.oneof(smallText, fc.constant('message')), jsonText).map(([name, argument]) => `[${JSON.stringify(name)},${argument}]`),
  jsonText,
);

/**
 * A Socket.IO packet: `<type>[<attachments>-][<nsp>,][<ack id>][<JSON>]`,
 * with attachment counts past the cap of 10 and placeholders that name
 * attachments never sent.
 */
export const socketIoPacket: fc.Arbitrary<string> = fc
  .record({
    type: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '5', '6') }, { weight: 1, arbitrary: smallText }),
    attachments: fc.option(fc.nat({ max: 14 }), { nil: undefined }),
    nsp: fc.constantFrom('', '/,', '/admin,', '/x/y,', 'nsp,'),
    ack: fc.oneof(fc.constant(''), fc.nat({ max: 1000 }).map(String), fc.constant('9'.repeat(20))),
    payload: fc.oneof(
      socketIoEvent,
      json(fc.record({ token: tokenValue })),
      fc.constant('[{"_placeholder":true,"num":0}]'),
      fc.constant('["publish",{"_placeholder":true,"num":99}]'),
      fc.constant(''),
    ),
  })
  .map(({ type, attachments, nsp, ack, payload }) => `${type}${attachments === undefined ? '' : `${attachments}-`}${nsp}${ack}${payload}`);

/** What rides in an Engine.IO message packet on /socket.io/: a CONNECT first, usually. */
export const socketIoMessages: fc.Arbitrary<string[]> = fc
  .tuple(fc.boolean(), fc.array(socketIoPacket, { minLength: 1, maxLength: 4 }))
  .map(([connect, packets]) => (connect ? ['0', ...packets] : packets));
