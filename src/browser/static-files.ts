/**
 * Node side of the browser code: serves compiled browser modules and
 * vendored files (uPlot) over HTTP. The browser code is compiled apart from
 * the server (tsconfig.browser.json) into dist/; a server started from the
 * sources (the tests, through tsx) finds it there too.
 *
 * Only the files named when the routes are made are served, read once and
 * kept: no path from a request ever reaches the file system.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Answers a request it knows and returns true; returns false for any other path. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * The directory of compiled browser code for `sub` (e.g. 'browser'): beside
 * this module in dist/, or dist/ of the project when running from src/.
 */
export function compiledDir(sub: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Compiled, this module is dist/browser/static-files.js; from the sources, src/browser/static-files.ts.
  if (path.basename(path.dirname(here)) === 'dist') return path.resolve(here, '..', sub);
  return path.resolve(here, '..', '..', 'dist', sub);
}

/** `{ '/url/path.js': '/abs/file.js' }` -> routes that serve exactly those files. */
export function staticRoutes(files: Record<string, string>): ExtraRoutes {
  const cache = new Map<string, Buffer>();
  return (req, res) => {
    const url = req.url ?? '/';
    const urlPath = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
    const file = Object.hasOwn(files, urlPath) ? files[urlPath] : undefined;
    if (file === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatic(
        res,
        405,
        'application/json',
        JSON.stringify({ error: `${req.method} not allowed here, use GET`, code: 'RTB_ERR_METHOD' }),
      );
      return true;
    }
    let body = cache.get(file);
    if (!body) {
      if (!existsSync(file)) {
        const error = { error: `${urlPath} is not built: run npm run build`, code: 'RTB_ERR_NOT_BUILT' };
        sendStatic(res, 404, 'application/json', JSON.stringify(error));
        return true;
      }
      body = readFileSync(file);
      cache.set(file, body);
    }
    sendStatic(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', req.method === 'HEAD' ? undefined : body, body.length);
    return true;
  };
}

function sendStatic(res: ServerResponse, status: number, type: string, body: string | Buffer | undefined, length?: number): void {
  // no-cache: a browser asks again (and gets a 200) after a rebuild, never runs stale code.
  res.writeHead(status, {
    'content-type': type,
    'content-length': length ?? Buffer.byteLength(body ?? ''),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** The compiled `.js` files of a directory, each at `${prefix}${name}`. */
export function moduleFiles(dir: string, prefix: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) if (name.endsWith('.js')) files[`${prefix}${name}`] = path.join(dir, name);
  return files;
}

/** The browser client: `/client.js` and the parts it imports, under `/client/`. */
export function browserClientRoutes(): ExtraRoutes {
  const dir = compiledDir('browser');
  return staticRoutes({
    '/client.js': path.join(dir, 'client.js'),
    ...moduleFiles(path.join(dir, 'client'), '/client/'),
  });
}
