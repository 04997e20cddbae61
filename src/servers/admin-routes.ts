/**
 * `POST /admin/drop {"share":0.1}`: fault injection for the harness's
 * `faults` scenario. Every server process resets (TCP RST) that share of its
 * client connections, of every transport, chosen at random; the answer is
 * `{"dropped":N}` summed over the processes that answered. A request
 * reaches one worker, which relays it to the others through the primary
 * (server-control.ts). Off unless the server runs with `--admin`; with a
 * secret it needs `Authorization: Bearer <secret>`, as publishing does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from './config.js';
import { RequestError } from './errors.js';
import { isAuthorized, readJson, requireJsonBody, requireMethod, sendError, sendJson } from './http-util.js';
import type { ServerControl } from './server-control.js';
import type { HttpHandler } from './transport.js';

/** Bytes an admin request body may have. */
const MAX_ADMIN_BODY = 4096;

export function adminRoutes(config: ServerConfig, control: () => ServerControl): Record<string, HttpHandler> {
  return {
    '/admin/drop': (req, res) => {
      handleDrop(req, res, config, control()).catch((error) => sendError(res, error));
    },
  };
}

async function handleDrop(req: IncomingMessage, res: ServerResponse, config: ServerConfig, control: ServerControl): Promise<void> {
  requireMethod(req, res, 'POST');
  if (!config.admin) {
    req.resume();
    throw new RequestError('the admin endpoints are off; start the server with --admin', 404, 1008, 'RTB_ERR_ADMIN_DISABLED');
  }
  if (!isAuthorized(req.headers.authorization, config.secret)) {
    req.resume();
    throw new RequestError('admin endpoints need Authorization: Bearer <secret>', 401, 1008, 'RTB_ERR_UNAUTHORIZED');
  }
  requireJsonBody(req);
  const body = await readJson(req, MAX_ADMIN_BODY);
  const share = (body as { share?: unknown } | null)?.share;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    throw new RequestError('body must be {"share":S} with S a number from 0 to 1', 400, 1008, 'RTB_ERR_BAD_REQUEST');
  }
  // The connection that asked is kept, so the answer reaches it.
  const dropped = await control.drop(share, req.socket);
  sendJson(res, 200, { dropped });
}
