/** `rtbench report <file>`: a run result as Markdown, HTML, JUnit XML or normalised JSON; optionally checks gates. */
import { Command, Option } from 'commander';
import { describeGate } from '../report/gate-text.js';
import { applyGates } from '../gates/evaluate.js';
import { REPORT_FORMATS, RENDERERS, type ReportFormat } from '../report/render.js';
import { EXIT } from './exit-codes.js';
import { collect, loadThresholds } from './gate-options.js';
import { readRunFile, writeOutput } from './run-file.js';

interface ReportOptions {
  format: ReportFormat;
  out?: string;
  threshold: string[];
  gates?: string;
}

export function reportCommand(setExit: (code: Promise<number>) => void): Command {
  return new Command('report')
    .description('render a run result as Markdown, HTML or JUnit, checking gates if given')
    .argument('<file>', 'a run result (rtbench.run/1), e.g. reports/latest.json')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('md'))
    .option('--out <path>', 'write the report here instead of to stdout')
    .option('--threshold <expr>', 'a gate such as "ws.latency: p(99)<250ms" (repeatable)', collect, [])
    .option('--gates <file>', 'gates from a JSON file: {"thresholds": ["lost==0", ...]}')
    .action((file: string, options: ReportOptions) => setExit(report(file, options)));
}

async function report(file: string, options: ReportOptions): Promise<number> {
  const thresholds = await loadThresholds(options.threshold, options.gates, 'report');
  if (typeof thresholds === 'number') return thresholds;
  const loaded = await readRunFile(file, 'report');
  if (typeof loaded === 'number') return loaded;
  // Gates checked now are added to those the run already recorded.
  const checked = applyGates(loaded, thresholds);
  const result = { ...loaded, gates: [...loaded.gates, ...checked] };
  const written = await writeOutput(RENDERERS[options.format](result), options.out, 'report');
  if (written !== EXIT.ok) return written;
  // Gates on a run that cannot be trusted (its server died, it was aborted) cannot pass it.
  if (checked.length > 0 && result.status !== undefined && result.status !== 'ok') {
    console.error(
      `rtbench report: the run is ${result.status}, so its gates cannot pass it:\n${(result.problems ?? []).map((p) => `  ${p}`).join('\n')}`,
    );
    return EXIT.invalidRun;
  }
  // Only the gates this command checked decide its exit code; the run's own were its business.
  const failed = checked.filter((gate) => !gate.pass);
  if (failed.length === 0) return EXIT.ok;
  console.error(
    `rtbench report: ${failed.length} of ${checked.length} gates failed:\n${failed.map((gate) => `  ${describeGate(gate)}`).join('\n')}`,
  );
  return EXIT.gateFailed;
}
