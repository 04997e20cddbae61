/**
 * The routes beside the transports: `POST /publish`, `POST /echo` (with
 * --echo), `GET /healthz` and `GET /metrics`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { adminRoutes } from './admin-routes.js';
import type { ServerConfig } from './config.js';
import { RequestError } from './errors.js';
import { isAuthorized, readBody, readJson, requireJsonBody, requireMethod, sendError, sendJson } from './http-util.js';
import { parsePublish, publishAnswer } from './publish.js';
import type { ServerControl } from './server-control.js';
import type { HttpHandler, ServerContext, ServerTransport } from './transport.js';

/**
 * `metricsText` replaces this process's /metrics text (the cluster aggregates its workers);
 * `control` answers for every worker (/healthz `workers`, /admin/drop).
 */
export function apiRoutes(
  context: ServerContext,
  transports: ServerTransport[],
  registry: Registry,
  metricsText?: () => Promise<string>,
  control?: () => ServerControl,
): Record<string, HttpHandler> {
  const startedAt = Date.now();
  return {
    '/publish': (req, res) => {
      handlePublish(req, res, context).catch((error) => sendError(res, error));
    },
    '/echo': (req, res) => {
      handleEcho(req, res, context.config).catch((error) => sendError(res, error));
    },
    '/healthz': (_req, res) => {
      const connections: Record<string, number> = {};
      for (const t of transports) connections[t.name] = t.stats().connections;
      // With --expose-gc (benchmarks measuring heap per connection) collect
      // first, so heap_used is what the connections hold, not garbage.
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      // A node cut off from its backplane cannot publish: it says so, and answers 503.
      const backplane = context.backplane?.health();
      const health = {
        status: backplane?.connected === false ? 'backplane-unreachable' : 'ok',
        pid: process.pid,
        uptime_s: (Date.now() - startedAt) / 1000,
        connections,
        memory: { rss: memory.rss, heap_used: memory.heapUsed },
        ...(backplane ? { backplane } : {}),
      };
      const status = backplane?.connected === false ? 503 : 200;
      // Every worker's pid, connections and whether it accepts (server-control.ts).
      (control ? control().workers() : Promise.resolve(undefined)).then(
        (workers) => sendJson(res, status, workers ? { ...health, workers } : health),
        (error) => sendError(res, error),
      );
    },
    ...(control ? adminRoutes(context.config, control) : {}),
    '/metrics': (_req, res) => {
      const text = metricsText ? metricsText() : registry.metrics();
      text.then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        },
        (error) => sendError(res, error),
      );
    },
  };
}

async function handlePublish(req: IncomingMessage, res: ServerResponse, context: ServerContext): Promise<void> {
  requireMethod(req, res, 'POST');
  if (!isAuthorized(req.headers.authorization, context.config.secret)) {
    req.resume();
    throw new RequestError('publishing needs Authorization: Bearer <secret>', 401, 1008, 'RTB_ERR_UNAUTHORIZED');
  }
  requireJsonBody(req);
  const request = parsePublish(await readJson(req, context.config.maxPayload));
  const seqs = await context.bus.publish(request.inputs);
  sendJson(res, 202, publishAnswer(request, seqs));
}

async function handleEcho(req: IncomingMessage, res: ServerResponse, config: ServerConfig): Promise<void> {
  requireMethod(req, res, 'POST');
  if (!config.echo) {
    req.resume();
    throw new RequestError('echo is off on this server; start it with --echo', 404);
  }
  const body = await readBody(req, config.maxPayload);
  res.writeHead(200, {
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
    'content-length': body.length,
  });
  res.end(body);
}
