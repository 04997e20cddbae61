/**
 * `rtbench run --ui`: a small HTTP server beside the run. It serves the live
 * page (`/`, its module under `/dashboard/`, uPlot from the package's
 * node_modules under `/vendor/`), the feed that drives it (`/events`,
 * Server-Sent Events, feed.ts) and the run's figures as Prometheus text
 * (`/metrics`). It is fed the orchestrator's `progress` and `event` events,
 * and at the end the result, whose HTML report the page then shows.
 */
import type { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { compiledDir, moduleFiles, staticRoutes } from '../browser/static-files.js';
import type { Progress } from '../harness/orchestrator.js';
import { RENDERERS } from '../report/render.js';
import type { RunEvent, RunResult } from '../result/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { EventFeed } from './feed.js';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics.js';
import { dashboardPage } from './page-html.js';
import { RunState } from './run-state.js';

export interface DashboardOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
}

/** How long the end of the run waits for the pages to be sent the final report. */
const FINAL_FLUSH_MS = 2000;

export class Dashboard {
  readonly state: RunState;
  readonly #feed = new EventFeed();
  readonly #server: http.Server;
  readonly #files = vendorAndPageFiles();
  #url = '';

  private constructor(scenario: Scenario) {
    this.state = new RunState(scenario);
    this.#server = http.createServer((req, res) => this.#route(req, res));
  }

  /** Listens (on 127.0.0.1 unless told otherwise) and resolves once it does. */
  static async start(scenario: Scenario, options: DashboardOptions): Promise<Dashboard> {
    const dashboard = new Dashboard(scenario);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      dashboard.#server.once('error', reject);
      dashboard.#server.listen(options.port, host, () => resolve());
    });
    const address = dashboard.#server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    dashboard.#url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
    return dashboard;
  }

  get url(): string {
    return this.#url;
  }

  /** Pages following the feed right now. */
  get pages(): number {
    return this.#feed.size;
  }

  /** Follows a run: the Orchestrator's `progress` and `event` events. */
  watch(run: EventEmitter): void {
    run.on('progress', (progress: Progress) => this.#feed.send('sample', this.state.addProgress(progress)));
    run.on('event', (event: RunEvent) => {
      this.state.addEvent(event);
      this.#feed.send('run-event', event);
    });
  }

  /** The run is over: every page gets the final report, then the server closes. */
  async finish(result: RunResult): Promise<void> {
    this.state.result = result;
    const figures = Object.fromEntries(
      Object.entries(result.transports).map(([name, t]) => [
        name,
        { bytesPerUpdate: t.bytes.per_update, p99Ms: t.latency_us.p99 / 1000, delivered: t.updates.delivered, lost: t.updates.lost },
      ]),
    );
    this.#feed.send('done', { status: result.status ?? 'ok', problems: result.problems ?? [], figures, html: RENDERERS.html(result) });
    await this.#feed.flushed(FINAL_FLUSH_MS);
    await this.close();
  }

  close(): Promise<void> {
    this.#feed.close();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const urlPath = (req.url ?? '/').split('?')[0];
    if (urlPath === '/events') this.#feed.open(req, res, this.state.snapshot());
    else if (urlPath === '/' || urlPath === '/index.html')
      send(res, 200, 'text/html; charset=utf-8', dashboardPage(this.state.scenario.name));
    else if (urlPath === '/metrics') send(res, 200, METRICS_CONTENT_TYPE, metricsText(this.state));
    else if (!this.#files(req, res)) {
      send(res, 404, 'application/json', JSON.stringify({ error: `no such page: ${urlPath}`, code: 'RTB_ERR_NOT_FOUND' }));
    }
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
  res.end(body);
}

/** The page's compiled module and uPlot's script and style, from the package's own node_modules (no CDN). */
function vendorAndPageFiles() {
  const require = createRequire(import.meta.url);
  const uplot = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return staticRoutes({
    ...moduleFiles(path.join(compiledDir('dashboard'), 'page'), '/dashboard/'),
    '/vendor/uPlot.iife.min.js': path.join(uplot, 'uPlot.iife.min.js'),
    '/vendor/uPlot.min.css': path.join(uplot, 'uPlot.min.css'),
  });
}
