/**
 * Wire bytes of one Engine.IO handshake + upgrade, step by step, counted on
 * the client side of each connection (socket.bytesWritten / bytesRead): a
 * bare client that sends the minimal request heads, then the official
 * engine.io-client through a counting relay for comparison. The tables are
 * printed; the frame sizes and head/body splits are asserted exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcess, type RunningServer } from '../helpers/server.js';
import { EngineClient, publishOne, sleep, waitUntil } from '../helpers/fallback-clients.js';
import { clientTextFrame, CountingConnection, countingProxy, upgradeRequest, type StepBytes } from '../helpers/fallback-wire.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function table(title: string, steps: StepBytes[]): string {
  const lines = [title, `${'step'.padEnd(44)} ${'up'.padStart(6)} ${'down'.padStart(6)}  detail`];
  for (const s of steps) lines.push(`${s.step.padEnd(44)} ${String(s.up).padStart(6)} ${String(s.down).padStart(6)}  ${s.detail}`);
  const up = steps.reduce((n, s) => n + s.up, 0);
  const down = steps.reduce((n, s) => n + s.down, 0);
  lines.push(`${'total'.padEnd(44)} ${String(up).padStart(6)} ${String(down).padStart(6)}  ${up + down} bytes both ways`);
  return lines.join('\n');
}

describe('Engine.IO handshake + upgrade wire bytes', () => {
  it('a bare client: every step counted at its own sockets', async () => {
    server = await startInProcess();
    const host = `127.0.0.1:${server.port}`;
    const steps: StepBytes[] = [];
    const polling = await CountingConnection.open(server.port);
    polling.delta();

    polling.write(`GET /engine.io/?EIO=4&transport=polling&t=PgwKa1b HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    const open = await polling.readResponse();
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    let bytes = polling.delta();
    expect(bytes.down).toBe(open.head.length + Buffer.byteLength(open.body));
    expect(open.body).toBe(`0{"sid":"${sid}","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`);
    steps.push({
      step: '1 handshake GET (polling)',
      ...bytes,
      detail: `response head ${open.head.length} + open packet ${open.body.length}`,
    });

    const pollHead = `GET /engine.io/?EIO=4&transport=polling&t=PgwKa1c&sid=${sid} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    polling.write(pollHead);
    await sleep(20);
    const heldUp = polling.delta().up;

    const ws = await CountingConnection.open(server.port);
    ws.delta();
    const upgradeHead = upgradeRequest(`/engine.io/?EIO=4&transport=websocket&sid=${sid}`, host);
    ws.write(upgradeHead);
    const switched = await ws.readResponse();
    expect(switched.head.startsWith('HTTP/1.1 101 ')).toBe(true);
    bytes = ws.delta();
    expect(bytes).toEqual({ up: upgradeHead.length, down: switched.head.length });
    steps.push({
      step: '2 WebSocket upgrade (GET -> 101)',
      ...bytes,
      detail: `request head ${upgradeHead.length}, response head ${switched.head.length}`,
    });

    ws.write(clientTextFrame('2probe'));
    const probe = await ws.readFrame();
    expect(probe.payload).toBe('3probe');
    bytes = ws.delta();
    expect(bytes).toEqual({ up: 2 + 4 + 6, down: 2 + 6 });
    steps.push({ step: '3 probe: 2probe / 3probe frames', ...bytes, detail: 'client frame 2+4 mask+6, server frame 2+6' });

    const noop = await polling.readResponse();
    expect(noop.body).toBe('6');
    bytes = polling.delta();
    expect(bytes.down).toBe(noop.head.length + 1);
    steps.push({
      step: '4 held poll released with noop (polling)',
      up: heldUp,
      down: bytes.down,
      detail: `request head ${pollHead.length}, response head ${noop.head.length} + "6"`,
    });

    ws.write(clientTextFrame('5'));
    await sleep(20);
    bytes = ws.delta();
    expect(bytes).toEqual({ up: 2 + 4 + 1, down: 0 });
    steps.push({ step: '5 upgrade packet "5"', ...bytes, detail: 'client frame 2+4 mask+1' });

    // For scale: one hub message on the upgraded session.
    ws.write(clientTextFrame(`4${JSON.stringify({ op: 'subscribe', channel: 'wire' })}`));
    await ws.readFrame();
    ws.delta();
    await publishOne(server.url, 'wire', 'x');
    const message = await ws.readFrame();
    bytes = ws.delta();
    expect(bytes.down).toBe(2 + Buffer.byteLength(message.payload));
    const update = {
      step: '(then) one update on the WebSocket',
      ...bytes,
      detail: `frame 2 + "4" + envelope ${Buffer.byteLength(message.payload) - 1}`,
    };

    console.log(
      `${table(`Engine.IO v4 handshake + upgrade, bare client (port ${server.port})`, steps)}\n${update.step.padEnd(44)} ${String(update.up).padStart(6)} ${String(update.down).padStart(6)}  ${update.detail}`,
    );
    polling.close();
    ws.close();
  });

  it('the official engine.io-client, counted per connection through a relay', async () => {
    server = await startInProcess();
    const proxy = await countingProxy(server.port);
    try {
      const client = new EngineClient(`http://127.0.0.1:${proxy.port}`, { transports: ['polling', 'websocket'] });
      await waitUntil(() => client.transport === 'websocket', 'the upgrade');
      await sleep(100);
      const steps = proxy.connections.map((c, i) => ({
        step: `connection ${i + 1}`,
        up: c.up,
        down: c.down,
        detail: c.request,
      }));
      console.log(table('engine.io-client 6 (xmlhttprequest-ssl: one connection per request), handshake + upgrade', steps));
      expect(proxy.connections.length).toBeGreaterThanOrEqual(3);
      client.close();
    } finally {
      await proxy.close();
    }
  });
});
