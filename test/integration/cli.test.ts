/** The bin as a user runs it: help, bad options, serve answering on every endpoint. */
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cliOutcome, startCli, type RunningServer } from '../helpers/server.js';

const rtbench = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('rtbench CLI', () => {
  it('--help lists every command', () => {
    const result = rtbench('--help');
    expect(result.status).toBe(0);
    for (const command of ['run', 'serve', 'model', 'report', 'compare']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('a bad option value exits 2 and names the option', async () => {
    const [result, workers, unknown, tlsAlone, certAlone] = await Promise.all([
      cliOutcome(['serve', '--port', 'eighty']),
      cliOutcome(['serve', '--workers', '0']),
      cliOutcome(['serve', '--bogus']),
      cliOutcome(['serve', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem']),
      cliOutcome(['serve', '--h2', '--tls-cert', 'cert.pem']),
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("option '--port <n>' argument 'eighty' is invalid");
    expect(workers.status).toBe(2);
    expect(workers.stderr).toContain("option '--workers <n>' argument '0' is invalid");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    expect(tlsAlone.status).toBe(2);
    expect(tlsAlone.stderr).toContain('--tls-cert and --tls-key serve HTTP/2 over TLS; add --h2');
    expect(certAlone.status).toBe(2);
    expect(certAlone.stderr).toContain('--tls-cert and --tls-key go together');
  });

  it('serve answers on every endpoint and stops cleanly on SIGTERM', async () => {
    const running = await startCli(['--history', '5']);
    server = running;
    const publish = await request(`${running.url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"channel":"news","data":1}',
    });
    expect([publish.statusCode, await publish.body.json()]).toEqual([202, { seq: 1 }]);
    for (const path of ['/poll?channel=news&cursor=0', '/long-poll?channel=news&cursor=0', '/healthz', '/metrics']) {
      const answer = await request(`${running.url}${path}`);
      expect(answer.statusCode, path).toBe(200);
      await answer.body.dump();
    }
    const sse = await request(`${running.url}/sse?channel=news&cursor=0`);
    expect(sse.headers['content-type']).toBe('text/event-stream');
    sse.body.destroy();
    const socket = new WebSocket(`${running.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.close();
    await running.stop();
    expect(running.child.exitCode).toBe(0);
  });
});
