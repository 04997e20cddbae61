/**
 * `rtbench serve --demo`: the two-window todo demo. The page at `/` (its
 * modules under `/demo/`), and a small REST API whose every change is
 * published on the list's channel (`todos.<list>`), so every open window
 * applies it:
 *
 *   GET    /api/lists                     -> {"lists":[{"name","items"}]}
 *   GET    /api/lists/:list               -> {"list","channel","seq","items":[...]}  (seq: the channel's head)
 *   GET    /api/lists/:list/items         -> the same
 *   POST   /api/lists/:list/items         {"text","done"?}            -> 201 {"item","seq"}
 *   GET    /api/lists/:list/items/:id     -> {"item"}
 *   PUT    /api/lists/:list/items/:id     {"version","text"?,"done"?} -> 200 {"item","seq"}, 409 {"item"} when stale
 *   DELETE /api/lists/:list/items/:id     -> 200 {"item","seq"}
 *
 * A list's items and its channel's head are read in one tick, so a page that
 * subscribes from that seq misses nothing and sees nothing twice. With a
 * data file a change is on disk before it is published and answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { compiledDir, type ExtraRoutes, moduleFiles, staticRoutes } from '../browser/static-files.js';
import { RequestError } from '../servers/errors.js';
import { pathOf, readJson, requireJsonBody, sendError, sendJson } from '../servers/http-util.js';
import { parsePublish } from '../servers/publish.js';
import type { ServerContext } from '../servers/transport.js';
import { AtomicFile } from './atomic-file.js';
import { demoPage } from './page-html.js';
import { type Change, checkListName, DEMO_LIMITS, TodoStore, VersionConflict } from './store.js';

/** Largest request body the demo API reads. */
const MAX_BODY_BYTES = 16 * 1024;

const text = z
  .string()
  .trim()
  .min(1, 'text must not be empty')
  .max(DEMO_LIMITS.textLength, `text is at most ${DEMO_LIMITS.textLength} characters`);
const createBody = z.object({ text, done: z.boolean().optional() });
const updateBody = z.object({ version: z.number().int().positive(), text: text.optional(), done: z.boolean().optional() });

export const channelOf = (list: string) => `todos.${list}`;

export class Demo {
  readonly store = new TodoStore();
  readonly #file: AtomicFile | undefined;

  private constructor(dataFile: string | undefined) {
    this.#file = dataFile === undefined ? undefined : new AtomicFile(dataFile, () => this.store.toJson());
  }

  /** The demo with the todos of `dataFile` (if it exists yet); throws when the file is not one of ours. */
  static async open(dataFile?: string): Promise<Demo> {
    const demo = new Demo(dataFile === undefined ? undefined : path.resolve(dataFile));
    const saved = await demo.#file?.read();
    if (saved !== undefined) demo.store.load(saved, demo.#file!.file);
    return demo;
  }

  /** The routes to mount beside the server's own (AppOptions.extraRoutes). */
  readonly routes = (context: ServerContext): ExtraRoutes => {
    const dir = compiledDir('demo');
    const files = staticRoutes({ ...moduleFiles(path.join(dir, 'page'), '/demo/') });
    return (req, res) => {
      const urlPath = pathOf(req.url);
      if (urlPath === '/' || urlPath === '/index.html') {
        const body = demoPage();
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return true;
      }
      if (urlPath === '/api/lists' || urlPath.startsWith('/api/lists/')) {
        this.#api(req, res, urlPath, context).catch((error) => sendDemoError(res, error));
        return true;
      }
      return files(req, res);
    };
  };

  async #api(req: IncomingMessage, res: ServerResponse, urlPath: string, context: ServerContext): Promise<void> {
    const [list, items, id, ...rest] = urlPath.split('/').slice(3).map(decodeURIComponent);
    if (list === undefined) return this.#only(req, 'GET', () => sendJson(res, 200, { lists: this.store.lists() }));
    checkListName(list);
    if (rest.length > 0 || (items !== undefined && items !== 'items'))
      throw new RequestError(`no such endpoint: ${urlPath}`, 404, 1008, 'RTB_ERR_NOT_FOUND');
    if (id === undefined) {
      if (req.method === 'POST' && items === 'items') {
        const fields = await body(req, createBody);
        return this.#commit(res, 201, context, this.store.create(list, fields));
      }
      return this.#only(req, 'GET', () => sendJson(res, 200, this.#snapshot(list, context)));
    }
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return sendJson(res, 200, { item: this.store.item(list, id) });
      case 'PUT':
        return this.#commit(res, 200, context, this.store.update(list, id, await body(req, updateBody)));
      case 'DELETE':
        return this.#commit(res, 200, context, this.store.delete(list, id));
      default:
        res.setHeader('allow', 'GET, PUT, DELETE');
        throw new RequestError(`${req.method} not allowed here, use GET, PUT or DELETE`, 405, 1008, 'RTB_ERR_METHOD');
    }
  }

  #only(req: IncomingMessage, method: 'GET', answer: () => void): void {
    if (req.method !== method && req.method !== 'HEAD')
      throw new RequestError(`${req.method} not allowed here, use ${method}`, 405, 1008, 'RTB_ERR_METHOD');
    answer();
  }

  /** The items and the channel's head, read in the same tick. */
  #snapshot(list: string, context: ServerContext) {
    const channel = channelOf(list);
    return { list, channel, seq: context.hub.head(channel), items: this.store.items(list) };
  }

  /** On disk first (with --data), then published, then answered. */
  async #commit(res: ServerResponse, status: number, context: ServerContext, change: Change): Promise<void> {
    try {
      await this.#file?.save();
    } catch (error) {
      throw new RequestError(
        `the change is kept in memory but could not be saved: ${(error as Error).message}`,
        500,
        1011,
        'RTB_ERR_DATA_WRITE',
      );
    }
    const request = parsePublish({ channel: channelOf(change.list), event: change.type, data: change });
    const [seq] = await context.bus.publish(request.inputs);
    sendJson(res, status, { item: change.item, seq });
  }
}

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  requireJsonBody(req);
  const parsed = schema.safeParse(await readJson(req, MAX_BODY_BYTES));
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new RequestError(message, 400, 1008, 'RTB_ERR_BAD_REQUEST');
  }
  return parsed.data;
}

/** A stale edit gets the winning item with its 409, so the page can show it. */
function sendDemoError(res: ServerResponse, error: unknown): void {
  if (error instanceof VersionConflict && !res.headersSent) {
    sendJson(res, 409, { error: error.message, code: error.code, item: error.item });
    return;
  }
  sendError(res, error);
}
