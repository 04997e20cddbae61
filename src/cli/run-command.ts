/** `rtbench run [scenario]`: drive simulated clients, write the result JSON and a summary. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isTransportName, TRANSPORTS, type TransportName } from '../clients/registry.js';
import { TRANSPORT_NAME, TRANSPORT_NAME_RULE } from '../result/transport-name.js';
import { HEADER_PROFILES } from '../clients/header-profiles.js';
import { Orchestrator, type Progress } from '../harness/orchestrator.js';
import { BUILTIN_SCENARIOS, loadScenario } from '../scenarios/builtin.js';
import { parseScenario, type Scenario, ScenarioError } from '../scenarios/schema.js';
import { EXIT } from './exit-codes.js';
import { resolveAdapter } from './adapter-option.js';
import type { LoadedAdapter } from '../adapter/load.js';
import { durationOption, integerOption, sizeOption } from './options.js';
import { formatSummary } from './run-summary.js';
import { parseTargetHosts } from '../harness/target-hosts.js';
import { ProgressPrinter, progressText } from './progress-printer.js';
import { collect, loadThresholds } from './gate-options.js';
import { describeGate } from '../report/gate-text.js';
import { applyGates } from '../gates/evaluate.js';
import { Dashboard } from '../dashboard/dashboard.js';
import { RENDERERS } from '../report/render.js';
import { type GateResult, parseRunResult, type RunEvent, type RunResult } from '../result/schema.js';
import { addAgentRunOptions, type AgentRunOptions, agentOptionsProblem, gatherAgents } from './agent-options.js';

interface RunOptions extends AgentRunOptions {
  transports?: TransportName[];
  clients?: number;
  channels?: number;
  rate?: number;
  duration?: number;
  payload?: number;
  headers?: (typeof HEADER_PROFILES)[number];
  conditional?: boolean;
  pollInterval?: number;
  ramp?: number;
  workers?: number;
  target?: string;
  targetHosts?: string[];
  adapter?: string;
  secret?: string;
  out: string;
  quiet?: boolean;
  ui?: boolean;
  uiPort: number;
  threshold: string[];
  gates?: string;
  report: string;
}

function transportList(value: string): TransportName[] {
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!TRANSPORT_NAME.test(name)) throw new InvalidArgumentError(`"${name}" is not a transport name (${TRANSPORT_NAME_RULE}).`);
    if (!isTransportName(name)) throw new InvalidArgumentError(`unknown transport "${name}"; use ${TRANSPORTS.join(', ')}.`);
  }
  return names as TransportName[];
}

function targetHosts(value: string): string[] {
  try {
    return parseTargetHosts(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return number;
}

function targetUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:8080.');
  }
  if (url.protocol !== 'http:') throw new InvalidArgumentError('only http:// targets are supported.');
  return url.origin;
}

export function runCommand(setExit: (code: Promise<number>) => void): Command {
  const command = new Command('run')
    .description('drive simulated clients against the server and record bytes and latency')
    .argument('[scenario]', `built-in (${BUILTIN_SCENARIOS.join(', ')}) or a scenario .json file`, 'smoke')
    .option('--transports <list>', `comma-separated: ${TRANSPORTS.join(',')}`, transportList)
    .option('--clients <n>', 'simulated clients per transport', integerOption(1, 200_000))
    .option('--channels <n>', 'channels the clients are spread over', integerOption(1, 100_000))
    .option('--rate <n>', 'updates per second per channel', positiveNumber)
    .option('--duration <time>', 'steady phase (e.g. 60s)', durationOption(100, 3_600_000))
    .option('--payload <bytes>', 'bytes of data per update', sizeOption(0, 1_000_000))
    .addOption(new Option('--headers <profile>', 'polling header profile').choices(HEADER_PROFILES))
    .option('--conditional', 'short polling sends If-None-Match')
    .option('--poll-interval <ms>', 'short polling interval per client', durationOption(10, 600_000))
    .option('--ramp <n>', 'connections opened per second', integerOption(1, 100_000))
    .option('--workers <n>', 'server processes of the embedded server', integerOption(1, 32))
    .option('--target <url>', 'a server someone else runs, instead of the embedded one', targetUrl)
    .option('--target-hosts <list>', "addresses the --target's clients connect to: 127.0.0.1-127.0.0.8 or a comma list", targetHosts)
    .option('--adapter <file>', "an ES module saying how to subscribe and publish on the --target's own app (see README)")
    .option('--secret <token>', 'publish secret of the target server')
    .option('--out <dir>', 'where the result and reports go', 'reports')
    .option('--report <formats>', 'reports written beside the result: md,html,junit or none', 'md,html')
    .option('--threshold <expr>', 'a gate such as "ws.latency: p(99)<250ms" (repeatable); a failed gate exits 99', collect, [])
    .option('--gates <file>', 'gates from a JSON file: {"thresholds": ["lost==0", ...]}')
    .option('--quiet', 'no progress line')
    .option('--ui', 'serve a live dashboard of the run (its address is printed; Prometheus text at /metrics)')
    .option('--ui-port <n>', 'port of the --ui dashboard (0 picks a free one)', integerOption(0, 65535), 8090);
  return addAgentRunOptions(command).action((scenario: string, options: RunOptions) => setExit(run(scenario, options)));
}

/** With --agents: the load agents, gathered before anything starts; otherwise undefined (or the exit code after saying why not). */
async function agentsFor(options: RunOptions): Promise<Awaited<ReturnType<typeof gatherAgents>> | number> {
  const problem = agentOptionsProblem(options);
  if (problem) {
    console.error(`rtbench run: ${problem}`);
    return EXIT.usage;
  }
  try {
    return await gatherAgents(options, (line) => console.error(`rtbench run: ${line}`));
  } catch (error) {
    console.error(`rtbench run: ${(error as Error).message}`);
    return EXIT.error;
  }
}

async function run(name: string, options: RunOptions): Promise<number> {
  if (options.targetHosts && !options.target) {
    console.error("rtbench run: option '--target-hosts <list>' needs --target (the embedded server's clients are spread already).");
    return EXIT.usage;
  }
  const parsed = await scenarioFromOptions(name, options);
  if (typeof parsed === 'number') return parsed;
  const adapted = await resolveAdapter(parsed, options, name.endsWith('.json') ? name : undefined);
  if (typeof adapted === 'string') {
    console.error(`rtbench run: ${adapted}`);
    return EXIT.usage;
  }
  const scenario = adapted?.scenario ?? parsed;
  // Gates are parsed before anything runs: a typo should not cost a run.
  const thresholds = await loadThresholds([...scenario.thresholds, ...options.threshold], options.gates, 'run');
  if (typeof thresholds === 'number') return thresholds;
  const formats = parseReportFormats(options.report);
  if (typeof formats === 'string') {
    console.error(`rtbench run: option '--report <formats>' argument '${options.report}' is invalid. ${formats}`);
    return EXIT.usage;
  }
  const dashboard = options.ui ? await Dashboard.start(scenario, { port: options.uiPort }) : undefined;
  if (dashboard) console.error(`rtbench run: live dashboard at ${dashboard.url} (Prometheus: ${dashboard.url}metrics)`);
  const outcome = await execute(scenario, options, dashboard, adapted?.loaded);
  if (typeof outcome === 'number') {
    await dashboard?.close();
    return outcome;
  }

  // The result is checked against its documented schema before it is
  // written: reports, gates and CI read only this file. Gates are checked
  // on an invalid or aborted run too, and reported, but cannot pass it.
  const checked = parseRunResult(outcome.result, 'this run');
  checked.gates = applyGates(checked, thresholds);
  const written = await writeRunFiles(checked, options.out, formats);
  await dashboard?.finish(checked);
  console.log(formatSummary(checked));
  console.log(`\nResult:  ${written[0]} (also ${path.join(options.out, 'latest.json')})`);
  if (written.length > 1) console.log(`Reports: ${written.slice(1).join(', ')}`);
  const gates = gateVerdict(checked.gates);
  if (outcome.signal) return outcome.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  if (checked.status === 'invalid') {
    console.error(
      `rtbench run: the run is invalid (exit ${EXIT.invalidRun}):\n${(checked.problems ?? []).map((p) => `  ${p}`).join('\n')}`,
    );
    return EXIT.invalidRun;
  }
  return gates;
}

/** The named scenario with the command line's overrides, validated; or the exit code after saying what is wrong. */
async function scenarioFromOptions(name: string, options: RunOptions): Promise<Scenario | number> {
  try {
    const base = await loadScenario(name);
    return parseScenario(
      {
        ...base,
        ...(options.transports && { transports: options.transports }),
        ...(options.clients !== undefined && { clients: options.clients }),
        ...(options.channels !== undefined && { channels: options.channels }),
        ...(options.rate !== undefined && { rate: options.rate }),
        ...(options.duration !== undefined && { durationMs: options.duration }),
        ...(options.payload !== undefined && { payloadBytes: options.payload }),
        ...(options.headers && { headers: options.headers }),
        ...(options.conditional && { conditional: true }),
        ...(options.pollInterval !== undefined && { pollIntervalMs: options.pollInterval }),
        ...(options.ramp !== undefined && { rampPerSec: options.ramp }),
        ...(options.workers !== undefined && { serverWorkers: options.workers }),
      },
      name,
    );
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    console.error(`rtbench run: ${error.message}`);
    return EXIT.usage;
  }
}

/**
 * Runs the scenario with a progress line and the run's events as they
 * happen. Ctrl-C or SIGTERM cuts the run short: every process it started
 * stops, and the partial result (status `aborted`) is still written.
 */
async function execute(
  scenario: Scenario,
  options: RunOptions,
  dashboard?: Dashboard,
  adapter?: LoadedAdapter,
): Promise<{ result: RunResult; signal?: NodeJS.Signals } | number> {
  const agents = await agentsFor(options);
  if (typeof agents === 'number') return agents;
  const orchestrator = new Orchestrator(scenario, {
    target: options.target,
    targetHosts: options.targetHosts,
    secret: options.secret,
    fleets: agents,
    adapter,
  });
  dashboard?.watch(orchestrator);
  const printer = options.quiet ? undefined : new ProgressPrinter(process.stderr);
  orchestrator.on('progress', (p: Progress) => printer?.update(progressText(p), `${p.transport}:${p.phase}`));
  orchestrator.on('event', (event: RunEvent) => {
    printer?.done();
    console.error(`rtbench run: [${event.t_s.toFixed(1)}s${event.transport ? ` ${event.transport}` : ''}] ${event.kind}: ${event.message}`);
  });
  let signal: NodeJS.Signals | undefined;
  const onSignal = (received: NodeJS.Signals) => {
    signal ??= received;
    orchestrator.abort(`${received}: stopping every process the run started`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    console.error(`rtbench run: ${describeScenario(scenario, options.target)}`);
    const result = await orchestrator.run();
    printer?.done();
    return { result, signal };
  } catch (error) {
    orchestrator.abort('the run failed');
    printer?.done();
    console.error(`rtbench run: ${signal ? 'interrupted' : 'failed'}: ${(error as Error).message}`);
    return EXIT.error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await agents?.close();
  }
}

function describeScenario(scenario: Scenario, target: string | undefined): string {
  return (
    `scenario ${scenario.name}: ${scenario.transports.join(', ')}; ${scenario.clients} clients each, ` +
    `${scenario.channels} channels at ${scenario.rate}/s, ${scenario.durationMs / 1000}s steady` +
    (target ? `, target ${target}` : `, embedded server with ${scenario.serverWorkers} worker(s)`) +
    (scenario.adapter ? ` through adapter ${scenario.adapter}` : '')
  );
}

/** Writes the result (stamped, and as latest.json) and the chosen reports; returns the files, the result first. */
async function writeRunFiles(result: RunResult, out: string, formats: RunReportFormat[]): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const stamp = result.started_at!.replace(/[:.]/g, '-');
  const base = path.join(out, `${result.scenario}-${stamp}`);
  const text = RENDERERS.json(result);
  await writeFile(`${base}.json`, text);
  await writeFile(path.join(out, 'latest.json'), text);
  const written = [`${base}.json`];
  for (const format of formats) {
    const file = `${base}.${REPORT_EXTENSIONS[format]}`;
    await writeFile(file, RENDERERS[format](result));
    written.push(file);
  }
  return written;
}

function gateVerdict(gates: GateResult[]): number {
  if (gates.length === 0) return EXIT.ok;
  const failed = gates.filter((gate) => !gate.pass);
  console.log(`Gates:   ${gates.length - failed.length} of ${gates.length} passed`);
  if (failed.length === 0) return EXIT.ok;
  console.error(
    `rtbench run: ${failed.length} of ${gates.length} gates failed:\n${failed.map((gate) => `  ${describeGate(gate)}`).join('\n')}`,
  );
  return EXIT.gateFailed;
}

const REPORT_EXTENSIONS = { md: 'md', html: 'html', junit: 'junit.xml' } as const;
type RunReportFormat = keyof typeof REPORT_EXTENSIONS;

function parseReportFormats(value: string): RunReportFormat[] | string {
  if (value === 'none') return [];
  const formats = value.split(',').map((format) => format.trim());
  for (const format of formats) {
    if (!(format in REPORT_EXTENSIONS)) return `expected a list of ${Object.keys(REPORT_EXTENSIONS).join(', ')} or none.`;
  }
  return formats as RunReportFormat[];
}
