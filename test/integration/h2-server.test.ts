/**
 * `rtbench serve --h2`: HTTP/1.1, HTTP/2 with prior knowledge and TLS on one
 * port, told apart by their first bytes; the same routes, envelope and error
 * answers over each; the header timeout for connections that send nothing
 * (or only part of the preface); the bound on an SSE stream whose client
 * stops reading, over HTTP/2.
 */
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, listen, type App } from '../../src/servers/app.js';
import { selfSignedCertificate } from '../../src/servers/h2/certificate.js';
import { H2_PREFACE, classifyFirstBytes } from '../../src/servers/h2/protocol-sniff.js';
import { startCli } from '../helpers/server.js';

let app: App;
let port: number;
let cert: string;
const sessions: http2.ClientHttp2Session[] = [];

beforeAll(async () => {
  const tls = await selfSignedCertificate();
  cert = tls.cert;
  app = createApp({ config: { host: '127.0.0.1', port: 0, h2: true, tls, headerTimeoutMs: 300, pingIntervalMs: 3_600_000 } });
  port = await listen(app);
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await app.close();
});

function connect(secure: boolean): http2.ClientHttp2Session {
  const session = secure ? http2.connect(`https://localhost:${port}`, { ca: cert }) : http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  sessions.push(session);
  return session;
}

function get(session: http2.ClientHttp2Session, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let type = '';
    let body = '';
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      type = String(headers['content-type']);
    });
    stream.on('data', (chunk: Buffer) => (body += chunk));
    stream.on('end', () => resolve({ status, type, body }));
    stream.on('error', reject);
  });
}

/** What a raw connection gets back for `bytes`, and whether the server closed it. */
function rawExchange(bytes: Buffer): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.on('error', reject);
  });
}

describe('serve --h2', () => {
  it('tells the ways in apart by their first bytes', () => {
    expect(classifyFirstBytes(H2_PREFACE)).toBe('h2c');
    expect(classifyFirstBytes(H2_PREFACE.subarray(0, 10))).toBeUndefined();
    expect(classifyFirstBytes(Buffer.from('POST /publish HTTP/1.1\r\n'))).toBe('http1');
    expect(classifyFirstBytes(Buffer.from([0x16, 0x03, 0x01]))).toBe('tls');
  });

  it('answers the same routes, envelope and errors over HTTP/1.1, h2c, TLS h2 and TLS HTTP/1.1', async () => {
    app.hub.publish({ channel: 'same', event: 'update', data: { n: 1 }, ts: 1_700_000_000_000.5 });
    const path = '/poll?channel=same&cursor=0';
    const overHttp1 = await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
    expect(JSON.parse(overHttp1).messages[0]).toMatchObject({ channel: 'same', seq: 1, event: 'update', data: { n: 1 } });
    const h2c = connect(false);
    const tls = connect(true);
    expect(await get(h2c, path)).toEqual({ status: 200, type: 'application/json', body: overHttp1 });
    expect(await get(tls, path)).toEqual({ status: 200, type: 'application/json', body: overHttp1 });
    expect(tls.alpnProtocol).toBe('h2');
    const overHttps1 = await new Promise<string>((resolve, reject) =>
      https
        .get({ host: '127.0.0.1', servername: 'localhost', port, path, ca: cert }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve(`${res.httpVersion} ${body}`));
        })
        .on('error', reject),
    );
    expect(overHttps1).toBe(`1.1 ${overHttp1}`);

    const bad = await get(h2c, '/poll?channel=same');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'RTB_ERR_BAD_REQUEST' });
    const missing = await get(h2c, '/nowhere');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toContain('no such endpoint');
  });

  it('streams SSE over HTTP/2 (TLS) as events in DATA frames', async () => {
    const stream = connect(true).request({ ':path': '/sse?channel=live' });
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk));
    await new Promise((resolve) => stream.once('response', resolve));
    const { json } = app.hub.publish({ channel: 'live', event: 'update', data: 'x', ts: 1_700_000_000_000.5 });
    const deadline = Date.now() + 3000;
    while (!text.includes('id: 1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(text).toBe(`:ok\n\nid: 1\ndata: ${json}\n\n`);
    stream.close();
  });

  it('answers 408 to a connection that sends nothing, or only part of the preface, by the header timeout', async () => {
    const [silent, partial] = await Promise.all([rawExchange(Buffer.alloc(0)), rawExchange(H2_PREFACE.subarray(0, 10))]);
    for (const outcome of [silent, partial]) {
      expect(outcome.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(outcome.text).toContain('"code":"RTB_ERR_REQUEST_TIMEOUT"');
      expect(outcome.ms).toBeLessThan(2000);
    }
  });

  it('resets an SSE stream whose client stops reading once 8 MB wait for it; the connection stays', async () => {
    const session = connect(false);
    const stream = session.request({ ':path': '/sse?channel=slow' });
    await new Promise((resolve) => stream.once('response', resolve));
    stream.pause();
    const closed = new Promise<number>((resolve) => stream.once('close', () => resolve(stream.rstCode ?? -1)));
    const big = 'x'.repeat(900_000);
    for (let i = 0; i < 10; i++) app.hub.publish({ channel: 'slow', event: 'update', data: big, ts: 1_700_000_000_000.5 });
    expect(await closed).toBe(http2.constants.NGHTTP2_CANCEL);
    expect((await get(session, '/healthz')).status).toBe(200);
  });
});

describe('rtbench serve --h2 --workers 2', () => {
  it('serves h2c and TLS on the shared port from every worker, with the certificate the primary made', async () => {
    const server = await startCli(['--h2', '--workers', '2']);
    try {
      const pems = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const h2c = http2.connect(`http://127.0.0.1:${server.port}`);
        const tls = http2.connect(`https://127.0.0.1:${server.port}`, { rejectUnauthorized: false });
        for (const session of [h2c, tls]) {
          session.on('error', () => {});
          sessions.push(session);
          expect((await get(session, '/poll?channel=w&cursor=0')).body).toBe('{"cursor":0,"messages":[]}');
        }
        pems.add(
          (tls.socket as unknown as { getPeerX509Certificate(): { fingerprint256: string } }).getPeerX509Certificate().fingerprint256,
        );
      }
      expect(pems.size).toBe(1);
    } finally {
      await server.stop();
    }
  });
});
