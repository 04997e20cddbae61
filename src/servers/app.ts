/**
 * One http.Server that mounts every transport, the publish API, health and
 * metrics on one port. The app owns no process concerns: cluster/primary.ts runs
 * several of these behind one port, serve-command.ts wires signals.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import { browserClientRoutes, type ExtraRoutes } from '../browser/static-files.js';
import { apiRoutes } from './api-routes.js';
import type { BackplaneStatus } from './backplane.js';
import { ByteTally } from './byte-tally.js';
import { ConnectionGate } from './connection-gate.js';
import { resolveConfig, type ServerConfig } from './config.js';
import { RequestError } from './errors.js';
import { defaultMaxConnections } from './fd-limit.js';
import { Hub } from './hub.js';
import { answerClientError, serverLimits } from './http-limits.js';
import { pathOf, refuseUpgrade, sendError } from './http-util.js';
import { originAllowed, originRefusal } from './origins.js';
import { refuseForeignOrigin, refusePrivateChannels } from './request-guards.js';
import { LocalBus, type PublishBus } from './publish.js';
import { localControl, type ServerControl } from './server-control.js';
import { createServerRegistry, registerConnectionMetrics } from './server-metrics.js';
import { TRANSPORTS } from './transports.js';
import { attachHttp2 } from './h2/attach.js';
import type { HttpHandler, ServerContext, ServerTransport } from './transport.js';

export interface AppOptions {
  config?: Partial<ServerConfig>;
  hub?: Hub;
  /** Where seqs come from; defaults to this process's hub. */
  bus?: PublishBus;
  /** Replaces this process's /metrics text (the cluster aggregates workers). */
  metricsText?: () => Promise<string>;
  /** Answers for every worker (/healthz, /admin/drop); defaults to this process alone. */
  control?: ServerControl;
  /** More routes beside the transports (the todo demo of `serve --demo`), asked before a 404. */
  extraRoutes?: (context: ServerContext) => ExtraRoutes;
  /** The backplane this node publishes through (`serve --redis`), for /healthz. */
  backplane?: BackplaneStatus;
}

export interface App {
  server: http.Server;
  hub: Hub;
  config: ServerConfig;
  transports: ServerTransport[];
  registry: Registry;
  /** Admits client connections against --max-connections (connection-gate.ts). */
  gate: ConnectionGate;
  /** Stops accepting, ends every open connection, resolves when closed. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions = {}): App {
  const config = resolveConfig(options.config);
  // The config names the history bounds as HubOptions does (history.ts).
  const hub = options.hub ?? new Hub(config);
  const bus = options.bus ?? new LocalBus(hub);
  const context: ServerContext = { hub, bus, config, backplane: options.backplane };
  const transports = TRANSPORTS.map((factory) => factory(context));
  const bytes = new ByteTally();
  const registry = createServerRegistry(hub, transports, bytes);

  // Each route names what its bytes count towards: a transport, or the API.
  const routes = new Map<string, { transport: string; handle: HttpHandler }>();
  for (const transport of transports) {
    for (const [path, handle] of Object.entries(transport.routes)) routes.set(path, { transport: transport.name, handle });
  }
  for (const [path, handle] of Object.entries(apiRoutes(context, transports, registry, options.metricsText, () => control))) {
    routes.set(path, { transport: 'api', handle });
  }

  // The browser client (/client.js) on every server; then whatever the caller mounts.
  const extras = [browserClientRoutes(), options.extraRoutes?.(context)];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req.url);
    const route = routes.get(path);
    if (route) {
      bytes.attribute(req.socket, route.transport);
      if (refuseForeignOrigin(req, res, route.transport, config.allowedOrigins)) return;
      if (refusePrivateChannels(req, res, route.transport, config.secret)) return;
      route.handle(req, res);
      return;
    }
    if (extras.some((handle) => handle?.(req, res))) return;
    sendError(res, new RequestError(`no such endpoint: ${req.method} ${path}`, 404));
  };
  const server = http.createServer({ keepAliveTimeout: 65_000, ...serverLimits(config) }, handle);
  const onUpgrade = upgradeListener(transports, config, bytes);
  // --h2: HTTP/2 and TLS share the port, through the same handler (h2/); first, so it sees connections before Node's parser.
  const h2 = config.h2 ? attachHttp2(server, handle, config, onUpgrade) : undefined;
  server.on('connection', (socket: Socket) => bytes.track(socket));
  server.on('upgrade', onUpgrade);
  server.on('clientError', answerClientError);
  // Last: the gate runs the connection listeners above for the sockets it admits.
  const gate = new ConnectionGate(server, config.maxConnections ?? defaultMaxConnections());
  const control = options.control ?? localControl(gate);
  registerConnectionMetrics(registry, gate);

  return {
    server,
    hub,
    config,
    transports,
    registry,
    gate,
    close: () =>
      new Promise<void>((resolve) => {
        for (const transport of transports) transport.close();
        h2?.close();
        hub.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Whatever is still open after a grace period (slow closing
        // handshakes, half-read bodies) is cut.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}

/** Hands each WebSocket upgrade to the transport that takes its path. */
function upgradeListener(
  transports: ServerTransport[],
  config: ServerConfig,
  bytes: ByteTally,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  // A transport with upgrade() and no upgradePath upgrades on its own routes.
  const upgradesAt = (t: ServerTransport, path: string) =>
    t.upgradePath === undefined ? Object.hasOwn(t.routes, path) : t.upgradePath === path;
  const upgrades = transports.filter((t) => t.upgrade);
  return (req, socket, head) => {
    const path = pathOf(req.url);
    const transport = upgrades.find((t) => upgradesAt(t, path));
    if (!transport) {
      refuseUpgrade(socket, 404, JSON.stringify({ error: `no WebSocket endpoint at ${path}` }));
      return;
    }
    if (!config.websocket) {
      refuseUpgrade(socket, 400, JSON.stringify({ error: 'WebSocket upgrades are disabled on this server (--no-websocket)' }));
      return;
    }
    if (!originAllowed(req.headers.origin, config.allowedOrigins)) {
      refuseUpgrade(socket, 403, originRefusal(transport.name, req.headers.origin));
      return;
    }
    bytes.attribute(req.socket, transport.name);
    transport.upgrade!(req, socket, head);
  };
}

/** Listens and resolves with the bound port. */
export function listen(app: App, port = app.config.port, host = app.config.host): Promise<number> {
  return new Promise((resolve, reject) => {
    app.server.once('error', reject);
    // A deep accept queue: a ramp opens thousands of connections a second.
    app.server.listen({ port, host, backlog: 4096 }, () => {
      app.server.off('error', reject);
      const address = app.server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
