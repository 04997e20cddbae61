/**
 * Cross-site requests (issue 9, point 12): `POST /publish` takes
 * `application/json` only (415 otherwise), and `--allowed-origins` refuses
 * WebSocket, SSE and Engine.IO / Socket.IO requests from other origins with
 * 403, while requests without an Origin (programs) and servers without the
 * option (the default) let everyone in.
 */
import { request } from 'undici';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { RawSocket, refusedUpgrade } from '../helpers/fallback-raw.js';
import { serverForSuite, startCli, startInProcess } from '../helpers/server.js';

const GOOD = 'http://app.example:3000';
const EVIL = 'https://evil.example';
const ENGINE_FORBIDDEN = '{"code":4,"message":"Forbidden"}';

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  const body = await response.body.text();
  return { status: response.statusCode, body };
}

async function publishAs(url: string, headers: Record<string, string>, body = '{"channel":"media","data":1}') {
  const response = await request(`${url}/publish`, { method: 'POST', headers, body });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('POST /publish takes JSON only', () => {
  const server = serverForSuite(() => startInProcess());

  it.each([
    ['text/plain (a cross-site form or fetch needs no preflight for it)', { 'content-type': 'text/plain' }],
    ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content-type at all', {}],
  ])('refuses %s with 415 and a JSON body', async (_name, headers) => {
    const answer = await publishAs(server.url, headers);
    expect(answer.status).toBe(415);
    expect(answer.body.code).toBe('RTB_ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(answer.body.error).toMatch(/^the body must be JSON sent as content-type: application\/json, got /);
  });

  it('accepts application/json with parameters, in any case', async () => {
    expect((await publishAs(server.url, { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(202);
  });
});

describe.each([
  { mode: 'in-process', start: () => startInProcess({ allowedOrigins: [GOOD] }) },
  { mode: '--workers 3', start: () => startCli(['--workers', '3', '--allowed-origins', `${GOOD}/, http://other.example`]) },
])('--allowed-origins, server $mode', ({ start }) => {
  const server = serverForSuite(start);
  const wsUrl = () => server.url.replace('http', 'ws');

  it('refuses a /ws upgrade from another origin with 403 and a JSON body', async () => {
    const refused = await refusedUpgrade(`${wsUrl()}/ws`, { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: `origin "${EVIL}" is not allowed`, code: 'RTB_ERR_ORIGIN' });
  });

  it('opens /ws for an allowed origin (compared without case or trailing slash) and for a client without Origin', async () => {
    for (const origin of [GOOD, 'HTTP://APP.EXAMPLE:3000/', undefined]) {
      const socket = await RawSocket.open(`${wsUrl()}/ws`, origin ? { origin } : {});
      socket.send('{"op":"subscribe","channel":"origins"}');
      expect(await socket.next(1)).toEqual(['{"op":"subscribed","channel":"origins","seq":0}']);
      socket.close();
    }
  });

  it('refuses /sse from another origin with 403 and serves it to an allowed one', async () => {
    const refused = await get(`${server.url}/sse?channel=origins`, { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'RTB_ERR_ORIGIN' });
    const controller = new AbortController();
    const allowed = await request(`${server.url}/sse?channel=origins`, { headers: { origin: GOOD }, signal: controller.signal });
    expect(allowed.statusCode).toBe(200);
    controller.abort();
    await allowed.body.dump().catch(() => {});
  });

  it.each(['/engine.io/', '/socket.io/'])('refuses %s handshakes from another origin with Engine.IO Forbidden (403)', async (path) => {
    const polling = await get(`${server.url}${path}?EIO=4&transport=polling`, { origin: EVIL });
    expect(polling).toEqual({ status: 403, body: ENGINE_FORBIDDEN });
    const upgrade = await refusedUpgrade(`${wsUrl()}${path}?EIO=4&transport=websocket`, { origin: EVIL });
    expect(upgrade).toEqual({ status: 403, body: ENGINE_FORBIDDEN });
    const allowed = await get(`${server.url}${path}?EIO=4&transport=polling`, { origin: GOOD });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatch(/^0\{"sid":/);
  });

  it('leaves the polling endpoints and the publish API to the other checks', async () => {
    expect((await get(`${server.url}/poll?channel=origins&cursor=0`, { origin: EVIL })).status).toBe(200);
  });
});

describe('without --allowed-origins (the default) every origin may connect', () => {
  const server = serverForSuite(() => startInProcess());

  it('opens /ws, /sse and an Engine.IO session for any origin', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { origin: EVIL });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.terminate();
    const controller = new AbortController();
    const sse = await request(`${server.url}/sse?channel=any`, { headers: { origin: EVIL }, signal: controller.signal });
    expect(sse.statusCode).toBe(200);
    controller.abort();
    await sse.body.dump().catch(() => {});
    expect((await get(`${server.url}/engine.io/?EIO=4&transport=polling`, { origin: EVIL })).status).toBe(200);
  });
});
