/** `rtbench serve`: the real-time server under test, in one or several processes. */
import { Command } from 'commander';
import { createApp, listen } from '../servers/app.js';
import { ClusterGaveUp, startCluster } from '../servers/cluster/primary.js';
import { DEFAULT_CONFIG, type ServerConfig } from '../servers/config.js';
import { parseAllowedOrigins } from '../servers/origins.js';
import type { Demo } from '../demo/routes.js';
import { addHttp2Options, type Http2Config, type Http2Options, http2Config } from './h2-options.js';
import { addCompressionOptions, type CompressionOptions, compressionConfig } from './compression-options.js';
import { EXIT } from './exit-codes.js';
import { connectBackplane, redisPrefixOption, redisUrlOption } from './serve-backplane.js';
import { type Backplane, createBackplaneApp, safeUrl } from '../servers/backplane.js';
import { durationOption, integerOption, sizeOption } from './options.js';

interface ServeOptions extends CompressionOptions, Http2Options {
  host: string;
  port: number;
  workers: number;
  history: number;
  historyBytes: number;
  historyTotalBytes: number;
  historyTtl: number;
  maxSubscriptions: number;
  echo: boolean;
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  longPollTimeout: number;
  secret?: string;
  websocket: boolean;
  headerTimeout: number;
  bodyTimeout: number;
  allowedOrigins?: string[];
  exitWithStdin?: boolean;
  maxConnections?: number;
  admin: boolean;
  demo?: boolean;
  data?: string;
  redis?: string;
  redisPrefix: string;
}

const ENDPOINTS = [
  'POST /publish',
  'GET  /poll?channel=C&cursor=N',
  'GET  /long-poll?channel=C&cursor=N',
  'GET  /sse?channel=C',
  'GET  /ws (WebSocket)',
  'GET  /engine.io/ (Engine.IO v4: long-polling, WebSocket upgrade)',
  'GET  /socket.io/ (Socket.IO v5 on Engine.IO v4)',
  'GET  /healthz',
  'GET  /metrics',
  'GET  /client.js (the browser client, an ES module)',
];

export function serveCommand(setExit: (code: Promise<number>) => void): Command {
  const command = new Command('serve')
    .description('start the real-time pub/sub server (every transport on one port)')
    .option('--host <address>', 'address to listen on', DEFAULT_CONFIG.host)
    .option('--port <n>', 'port to listen on (0 picks a free one)', integerOption(0, 65535), DEFAULT_CONFIG.port)
    .option('--workers <n>', 'server processes sharing the port', integerOption(1, 64), 1)
    .option('--history <n>', 'messages kept per channel for resuming', integerOption(0, 1_000_000), DEFAULT_CONFIG.historySize)
    .option('--history-bytes <bytes>', 'bytes of history kept per channel', sizeOption(0, 1024 ** 4), DEFAULT_CONFIG.historyBytes)
    .option(
      '--history-total-bytes <bytes>',
      'bytes of history kept by all channels of a process',
      sizeOption(0, 1024 ** 4),
      DEFAULT_CONFIG.historyTotalBytes,
    )
    .option(
      '--history-ttl <time>',
      'age at which a message leaves the history (0: never)',
      durationOption(0, 2 ** 31 - 1),
      DEFAULT_CONFIG.historyTtlMs,
    )
    .option(
      '--max-subscriptions <n>',
      'channels one connection or request may subscribe to',
      integerOption(1, 1_000_000),
      DEFAULT_CONFIG.maxSubscriptions,
    )
    .option('--echo', 'send every client message back to its sender', false)
    .option(
      '--ping-interval <ms>',
      'keep-alive period (WebSocket ping, SSE comment)',
      durationOption(100, 3_600_000),
      DEFAULT_CONFIG.pingIntervalMs,
    )
    .option(
      '--ping-timeout <ms>',
      'drop a WebSocket peer that has not answered a ping by then',
      durationOption(100, 3_600_000),
      DEFAULT_CONFIG.pingTimeoutMs,
    )
    .option('--max-payload <bytes>', 'largest request body or message accepted', sizeOption(1, 1024 ** 3), DEFAULT_CONFIG.maxPayload)
    .option('--long-poll-timeout <ms>', 'how long a long poll is held', durationOption(1, 300_000), DEFAULT_CONFIG.longPollTimeoutMs)
    .option('--secret <token>', 'require Authorization: Bearer <token> to publish (or RTBENCH_SECRET)')
    .option('--no-websocket', 'refuse WebSocket upgrades, as a proxy that strips them would')
    .option(
      '--header-timeout <ms>',
      'answer 408 and close when a request head is not in by then',
      durationOption(100, 3_600_000),
      DEFAULT_CONFIG.headerTimeoutMs,
    )
    .option(
      '--body-timeout <ms>',
      'answer 408 and close when a request body is not in by then',
      durationOption(100, 3_600_000),
      DEFAULT_CONFIG.bodyTimeoutMs,
    )
    .option('--allowed-origins <list>', 'origins that may open WebSocket, SSE and Engine.IO sessions (default: all)', parseAllowedOrigins)
    .option(
      '--max-connections <n>',
      'client connections per process before it stops accepting (default: 7/8 of its file-descriptor limit)',
      integerOption(1, 100_000_000),
    )
    .option('--admin', 'serve POST /admin/drop, which resets a share of the client connections (fault injection)', false)
    .option('--demo', 'serve the two-window todo demo at / (its API under /api/lists)')
    .option('--data <file>', 'with --demo: keep the todos in this JSON file (written atomically), so a restart loses nothing')
    .option('--redis <url>', 'join the nodes that share this Redis into one server (redis://host:port)', redisUrlOption)
    .option(
      '--redis-prefix <prefix>',
      'prefix of every Redis key of this server (nodes of one server use the same)',
      redisPrefixOption,
      'rtbench:',
    )
    .option('--exit-with-stdin', 'stop when standard input closes (rtbench run starts its server so, so it never outlives the run)');
  return addHttp2Options(addCompressionOptions(command)).action((options: ServeOptions) => setExit(serve(options)));
}

/** The server's settings from the command's options. */
function serverConfig(options: ServeOptions): Partial<ServerConfig> {
  return {
    host: options.host,
    port: options.port,
    historySize: options.history,
    historyBytes: options.historyBytes,
    historyTotalBytes: options.historyTotalBytes,
    historyTtlMs: options.historyTtl,
    maxSubscriptions: options.maxSubscriptions,
    echo: options.echo,
    pingIntervalMs: options.pingInterval,
    pingTimeoutMs: options.pingTimeout,
    maxPayload: options.maxPayload,
    longPollTimeoutMs: options.longPollTimeout,
    secret: options.secret ?? process.env.RTBENCH_SECRET ?? undefined,
    websocket: options.websocket,
    headerTimeoutMs: options.headerTimeout,
    bodyTimeoutMs: options.bodyTimeout,
    allowedOrigins: options.allowedOrigins,
    maxConnections: options.maxConnections,
    admin: options.admin,
  };
}

/** The whole config from the options (compression and HTTP/2 have their own modules), or a message naming a bad option. */
async function settingsOf(options: ServeOptions): Promise<{ config: Partial<ServerConfig>; h2: Http2Config } | string> {
  const compression = compressionConfig(options);
  if (typeof compression === 'string') return compression;
  const h2 = await http2Config(options, options.host);
  if (typeof h2 === 'string') return h2;
  return { config: { ...serverConfig(options), ...compression, ...h2.config }, h2 };
}

async function serve(options: ServeOptions): Promise<number> {
  const settings = await settingsOf(options);
  if (typeof settings === 'string') {
    console.error(`rtbench serve: ${settings}`);
    return EXIT.usage;
  }
  const { config, h2 } = settings;
  const demo = await openDemo(options);
  if (typeof demo === 'number') return demo;

  const started = await startServer(options, config, demo);
  if (typeof started === 'number') return started;
  const { port, close, failure } = started;

  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const base = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  console.log(`rtbench serve: listening on ${base} (pid ${process.pid}, ${options.workers} worker${options.workers === 1 ? '' : 's'})`);
  for (const endpoint of ENDPOINTS) console.log(`  ${endpoint}`);
  if (config.secret) console.log('  publishing needs Authorization: Bearer <secret>; private-* channels need a token');
  if (config.allowedOrigins) console.log(`  allowed origins: ${config.allowedOrigins.join(', ')}`);
  if (!options.websocket) console.log('  WebSocket upgrades are refused (--no-websocket)');
  if (options.admin) console.log('  POST /admin/drop is on (--admin)');
  if (config.wsDeflate) console.log(`  permessage-deflate on WebSockets that offer it: ${JSON.stringify(config.wsDeflate)}`);
  if (config.gzip) console.log(`  gzip on poll bodies of ${config.gzip.threshold} bytes or more (--gzip)`);
  if (options.redis) console.log(`  one server with every node on Redis ${safeUrl(options.redis)} (keys ${options.redisPrefix}*)`);
  if (config.h2)
    console.log(`  HTTP/2 on the same port (--h2): h2c with prior knowledge, and ${base.replace('http:', 'https:')} (${h2.note})`);
  if (demo) console.log(`  todo demo at ${base}/ (browser client at ${base}/client.js)${options.data ? `, todos in ${options.data}` : ''}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`rtbench serve: ${signal}, closing`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      close().then(
        () => resolve(EXIT.ok),
        (error: unknown) => {
          console.error('rtbench serve: error while closing:', error);
          resolve(EXIT.error);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    failure?.then(() => {
      stopping = true;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(EXIT.error);
    });
    if (options.exitWithStdin) {
      // The parent holds the other end of stdin: it closes when the parent exits, even on kill -9.
      process.stdin.once('end', () => stop('standard input closed'));
      process.stdin.once('error', () => stop('standard input closed'));
      process.stdin.resume();
    }
  });
}

interface Started {
  port: number;
  close: () => Promise<void>;
  /** Resolves if the cluster gives up on its workers (it has printed why and stopped them). */
  failure?: Promise<unknown>;
}

/** Connects the backplane (--redis), then starts one app or the cluster; an exit code when either fails. */
async function startServer(options: ServeOptions, config: Partial<ServerConfig>, demo: Demo | undefined): Promise<Started | number> {
  let backplane: Backplane | undefined;
  try {
    backplane = await connectBackplane(options, config);
    if (options.workers > 1) {
      const handle = await startCluster(config, options.workers, backplane);
      return { port: handle.port, close: () => handle.close().then(() => backplane?.close()), failure: handle.failure };
    }
    const appOptions = { config, extraRoutes: demo?.routes };
    const app = backplane ? await createBackplaneApp(backplane, appOptions) : createApp(appOptions);
    const port = await listen(app);
    return { port, close: () => app.close().then(() => backplane?.close()) };
  } catch (error) {
    await backplane?.close().catch(() => {});
    if (error instanceof ClusterGaveUp) return EXIT.error;
    if (options.redis === undefined) throw error;
    console.error(`rtbench serve: ${(error as Error).message}`);
    return EXIT.error;
  }
}

/** The todo demo (--demo, --data): one process holds the todos, so it needs --workers 1. */
async function openDemo(options: ServeOptions): Promise<Demo | number | undefined> {
  if (!options.demo) {
    if (options.data === undefined) return undefined;
    console.error('rtbench serve: --data keeps the todos of --demo; add --demo');
    return EXIT.usage;
  }
  if (options.workers > 1) {
    console.error('rtbench serve: --demo keeps its todos in one process; use --workers 1');
    return EXIT.usage;
  }
  try {
    // Loaded only for --demo: its request validation (zod) is a good share of a server's start-up.
    const { Demo } = await import('../demo/routes.js');
    return await Demo.open(options.data);
  } catch (error) {
    console.error(`rtbench serve: ${(error as Error).message}`);
    return EXIT.error;
  }
}
