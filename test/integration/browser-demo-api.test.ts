/**
 * The todo demo's HTTP side and what the server serves to browsers, with
 * plain requests: /client.js and its parts; the todo API's answers, its
 * version rule and its bounds (lists, items, text, body); each change
 * published on the list's channel from the snapshot's seq; the --data file
 * written atomically and read back; and the CLI's refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Demo } from '../../src/demo/routes.js';
import { DEMO_LIMITS } from '../../src/demo/store.js';
import { type App, createApp, listen } from '../../src/servers/app.js';
import { CLI } from '../helpers/server.js';

let app: App;
let url = '';
let dir = '';
let dataFile = '';

async function startDemo(file?: string): Promise<void> {
  const demo = await Demo.open(file);
  app = createApp({ config: { host: '127.0.0.1', port: 0 }, extraRoutes: demo.routes });
  url = `http://127.0.0.1:${await listen(app)}`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rtbench-demo-api-'));
  // In memory: the bounds test makes 600 changes, each of which --data would write to disk.
  await startDemo();
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A JSON answer's body (untyped: the test states what it expects). */
const read = async (answer: Response | Promise<Response>): Promise<any> => (await answer).json();

const json = (method: string, route: string, body?: unknown, type = 'application/json') =>
  fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': type },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('what browsers are served', () => {
  it('/client.js and the parts it imports, as JavaScript; nothing else under /client/', async () => {
    const entry = await fetch(`${url}/client.js`);
    expect(entry.status).toBe(200);
    expect(entry.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const text = await entry.text();
    expect(text).toContain('export class RtbClient');
    for (const part of [...text.matchAll(/from '\.\/(client\/[a-z-]+\.js)'/g)].map((m) => m[1])) {
      expect((await fetch(`${url}/${part}`)).status, part).toBe(200);
    }
    expect((await fetch(`${url}/client/nothing.js`)).status).toBe(404);
    expect((await fetch(`${url}/client/../package.json`)).status).toBe(404);
    const post = await fetch(`${url}/client.js`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(await read(post)).toMatchObject({ code: 'RTB_ERR_METHOD' });
  });

  it('the demo page at / loads its module and the client', async () => {
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/demo/app.js">');
    const module = await (await fetch(`${url}/demo/app.js`)).text();
    expect(module).toContain("from '/client.js'");
  });
});

describe('todo API', () => {
  it('creates, reads, updates and deletes, publishing each change on the list channel from the snapshot seq', async () => {
    const snapshot = await read(json('GET', '/api/lists/crud'));
    expect(snapshot).toEqual({ list: 'crud', channel: 'todos.crud', seq: 0, items: [] });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    const heard: { seq: number; event: string; data: { type: string; item: { version: number } } }[] = [];
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.seq !== undefined && message.op === undefined) heard.push(message);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ op: 'subscribe', channel: snapshot.channel, cursor: snapshot.seq }));

    const created = await json('POST', '/api/lists/crud/items', { text: ' milk ' });
    expect(created.status).toBe(201);
    const { item, seq } = await read(created);
    expect(item).toMatchObject({ id: '1', text: 'milk', done: false, version: 1 });
    expect(seq).toBe(1);
    expect(await read(json('GET', '/api/lists/crud/items/1'))).toEqual({ item });

    const updated = await json('PUT', '/api/lists/crud/items/1', { version: 1, done: true });
    expect(updated.status).toBe(200);
    expect((await read(updated)).item).toMatchObject({ text: 'milk', done: true, version: 2 });

    const stale = await json('PUT', '/api/lists/crud/items/1', { version: 1, text: 'soy milk' });
    expect(stale.status).toBe(409);
    expect(await read(stale)).toMatchObject({ code: 'RTB_ERR_VERSION_CONFLICT', item: { text: 'milk', version: 2 } });

    const deleted = await json('DELETE', '/api/lists/crud/items/1');
    expect((await read(deleted)).item).toMatchObject({ id: '1', version: 3 });
    expect((await json('GET', '/api/lists/crud/items/1')).status).toBe(404);

    await expect.poll(() => heard.length).toBe(3);
    ws.close();
    expect(heard.map((m) => [m.seq, m.event, m.data.type, m.data.item.version])).toEqual([
      [1, 'created', 'created', 1],
      [2, 'updated', 'updated', 2],
      [3, 'deleted', 'deleted', 3],
    ]);
    expect((await read(json('GET', '/api/lists/crud'))).seq).toBe(3);
  });

  it('refuses bad input with a status and a code, and keeps serving', async () => {
    const cases: [Response, number, string][] = [
      [await json('GET', '/api/lists/bad%20name'), 400, 'RTB_ERR_BAD_LIST'],
      [await json('POST', '/api/lists/bad/items', { text: '' }), 400, 'RTB_ERR_BAD_REQUEST'],
      [await json('POST', '/api/lists/bad/items', { text: 7 }), 400, 'RTB_ERR_BAD_REQUEST'],
      [await json('POST', '/api/lists/bad/items', { text: 'x'.repeat(DEMO_LIMITS.textLength + 1) }), 400, 'RTB_ERR_BAD_REQUEST'],
      [await json('POST', '/api/lists/bad/items', { text: 'x' }, 'text/plain'), 415, 'RTB_ERR_UNSUPPORTED_MEDIA_TYPE'],
      [
        await fetch(`${url}/api/lists/bad/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
        400,
        'RTB_ERR_BAD_JSON',
      ],
      [await json('POST', '/api/lists/bad/items', { text: 'x'.repeat(20_000) }), 413, 'RTB_ERR_PAYLOAD_TOO_LARGE'],
      [await json('PUT', '/api/lists/bad/items/1', { text: 'x' }), 400, 'RTB_ERR_BAD_REQUEST'],
      [await json('PUT', '/api/lists/bad/items/9', { version: 1, text: 'x' }), 404, 'RTB_ERR_NOT_FOUND'],
      [await json('PATCH', '/api/lists/bad/items/9', { version: 1 }), 405, 'RTB_ERR_METHOD'],
      [await json('POST', '/api/lists/bad'), 405, 'RTB_ERR_METHOD'],
      [await json('GET', '/api/lists/bad/things'), 404, 'RTB_ERR_NOT_FOUND'],
    ];
    for (const [answer, status, code] of cases) {
      expect(answer.status, answer.url).toBe(status);
      expect((await read(answer)).code, answer.url).toBe(code);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it(`holds at most ${DEMO_LIMITS.itemsPerList} items per list and ${DEMO_LIMITS.lists} lists`, async () => {
    for (let i = 0; i < DEMO_LIMITS.itemsPerList; i++) {
      expect((await json('POST', '/api/lists/full/items', { text: `item ${i}` })).status).toBe(201);
    }
    const full = await json('POST', '/api/lists/full/items', { text: 'one more' });
    expect(full.status).toBe(409);
    expect((await read(full)).code).toBe('RTB_ERR_LIST_FULL');
    const existing = (await read(json('GET', '/api/lists'))).lists.length;
    for (let i = existing; i < DEMO_LIMITS.lists; i++) {
      expect((await json('POST', `/api/lists/list-${i}/items`, { text: 'x' })).status).toBe(201);
    }
    const tooMany = await json('POST', '/api/lists/one-more/items', { text: 'x' });
    expect(tooMany.status).toBe(409);
    expect((await read(tooMany)).code).toBe('RTB_ERR_TOO_MANY_LISTS');
  });
});

describe('--data', () => {
  beforeAll(async () => {
    await app.close();
    dataFile = path.join(dir, 'fresh.json');
    await startDemo(dataFile);
  });
  afterEach(async () => {
    await app.close();
    await startDemo(dataFile);
  });

  it('is written atomically after each change (no temporary file left) and read back by a new server', async () => {
    await json('POST', '/api/lists/kept/items', { text: 'eggs' });
    const saved = JSON.parse(await readFile(dataFile, 'utf8'));
    expect(saved.lists.kept).toEqual({ nextId: 2, items: [expect.objectContaining({ id: '1', text: 'eggs', version: 1 })] });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await app.close();
    await startDemo(dataFile);
    expect((await read(json('GET', '/api/lists/kept'))).items).toEqual(saved.lists.kept.items);
    // The id counter survives too: a new item does not take a deleted one's id.
    await json('DELETE', '/api/lists/kept/items/1');
    expect((await read(json('POST', '/api/lists/kept/items', { text: 'ham' }))).item.id).toBe('2');
  });

  it('many changes at once all reach the file', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => json('POST', '/api/lists/burst/items', { text: `n${i}` })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    expect(JSON.parse(await readFile(dataFile, 'utf8')).lists.burst.items).toHaveLength(30);
  });

  it('a file that is not a todo file is refused with the field at fault', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ lists: { ok: { nextId: 1, items: [{ id: '1', text: 'x', done: 'no', version: 1, updatedAt: 0 }] } } }),
    );
    await expect(Demo.open(bad)).rejects.toThrow(/is not a todo data file: lists\.ok\.items\.0\.done/);
  });
});

describe('rtbench serve --demo refusals', () => {
  const serve = (args: string[]) =>
    spawnSync(process.execPath, [CLI, 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000 });

  it('--demo with --workers 2, --data without --demo (exit 2), an unreadable data file (exit 1)', async () => {
    const workers = serve(['--demo', '--workers', '2']);
    expect(workers.status).toBe(2);
    expect(workers.stderr).toContain('--demo keeps its todos in one process; use --workers 1');
    const data = serve(['--data', dataFile]);
    expect(data.status).toBe(2);
    expect(data.stderr).toContain('--data keeps the todos of --demo; add --demo');
    const garbage = path.join(dir, 'garbage.json');
    await writeFile(garbage, 'not json');
    const unreadable = serve(['--demo', '--data', garbage]);
    expect(unreadable.status).toBe(1);
    expect(unreadable.stderr).toContain(`${garbage} is not a todo data file`);
  });
});
