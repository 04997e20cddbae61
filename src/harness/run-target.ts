/**
 * The server a transport run drives: a fresh embedded `rtbench serve` (a
 * child process whose exit and stderr are watched), or the --target (asked
 * for its health first and once a second after). Either way one stop().
 */
import type { ClientTarget } from '../clients/load-client.js';
import type { Scenario } from '../scenarios/schema.js';
import { ProcessTreeSampler } from './process-stats.js';
import type { RunEvents } from './run-events.js';
import { hasVariant } from '../result/transport-name.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { chooseTargetHosts } from './target-hosts.js';
import { type HealthProbe, probeHealth, TargetWatch } from './target-watch.js';

export interface RunTarget {
  baseUrl: string;
  /** Where the clients connect: several loopback addresses for the embedded server. */
  clientTargets: ClientTarget[];
  /** The server's process tree, for CPU and memory (none for a target without --target-pid). */
  sampler: ProcessTreeSampler | undefined;
  stop(): Promise<void>;
}

export interface TargetSettings {
  scenario: Scenario;
  /** --target, if any. */
  target?: string;
  /** --target-hosts: the addresses the target's clients connect to (see target-hosts.ts when absent). */
  targetHosts?: string[];
  targetPid?: number;
  transport: string;
  events: RunEvents;
  /** The server died or the target went down: the run has nothing left to measure. */
  onGone: () => void;
  /** A target driven through an adapter is asked this way instead of GET /healthz. */
  probe?: HealthProbe;
}

/** The target, or undefined when a --target does not answer (said in the events). */
export async function openTarget(settings: TargetSettings): Promise<RunTarget | undefined> {
  return settings.target ? openRemote(settings, settings.target) : openEmbedded(settings);
}

async function openRemote(settings: TargetSettings, target: string): Promise<RunTarget | undefined> {
  const { events, transport } = settings;
  const url = new URL(target);
  const probe = settings.probe ?? probeHealth;
  const problem = await probe(url.origin);
  if (problem) {
    events.add('target-unreachable', `${url.origin}: ${problem}`, transport);
    return undefined;
  }
  const port = Number(url.port || 80);
  const choice = await chooseTargetHosts(url, settings.targetHosts, settings.scenario.loopbackAddresses);
  if (choice.problem) {
    events.add('target-unreachable', choice.problem, transport);
    return undefined;
  }
  events.add('target-hosts', choice.reason, transport);
  const watch = new TargetWatch(url.origin, transport, events, settings.onGone, probe);
  watch.start();
  const sampler = settings.targetPid ? new ProcessTreeSampler(settings.targetPid) : undefined;
  sampler?.start();
  return {
    baseUrl: url.origin,
    clientTargets: choice.hosts.map((host) => ({ host, port })),
    sampler,
    stop: async () => {
      watch.stop();
      sampler?.stop();
    },
  };
}

async function openEmbedded(settings: TargetSettings): Promise<RunTarget> {
  const { scenario: s, events, transport } = settings;
  const args = ['--host', '0.0.0.0', '--workers', String(s.serverWorkers), '--long-poll-timeout', String(s.longPollTimeoutMs)];
  // A minute of updates, so a slow subscriber can still catch up from history.
  args.push('--history', String(Math.max(1000, Math.ceil(s.rate * 60))));
  if (s.kind === 'echo') args.push('--echo');
  if (s.kind === 'faults') args.push('--admin');
  // Compression is negotiated: the server offers it, and only the variant's clients ask for it.
  if (hasVariant(transport, 'deflate')) args.push('--ws-deflate');
  if (hasVariant(transport, 'gzip')) args.push('--gzip');
  // The +h2 variants' clients speak HTTP/2 with prior knowledge to the same port.
  if (hasVariant(transport, 'h2')) args.push('--h2');
  // The server stops when its stdin closes: it never outlives this process, even one killed with -9.
  args.push('--exit-with-stdin');
  const server: ServerProcess = await startServerProcess(args, {
    onStderrLine: (line) => events.add('server-log', line, transport),
    onUnexpectedExit: (how) => {
      events.add('server-exit', `the embedded server exited (${how})`, transport);
      settings.onGone();
    },
  });
  // Several loopback destinations: one address pair has ~28,000 ephemeral ports.
  const hosts = Array.from({ length: s.loopbackAddresses }, (_, i) => `127.0.0.${i + 1}`);
  const sampler = new ProcessTreeSampler(server.pid);
  sampler.start();
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    clientTargets: hosts.map((host) => ({ host, port: server.port })),
    sampler,
    stop: async () => {
      sampler.stop();
      await server.stop();
    },
  };
}
