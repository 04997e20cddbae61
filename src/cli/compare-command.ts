/** `rtbench compare <base> <head>`: fail (exit 99) when head is worse than base. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { compareRuns } from '../gates/compare.js';
import { comparisonMarkdown, comparisonText, comparisonVerdict } from '../report/comparison.js';
import { EXIT } from './exit-codes.js';
import { readRunFile } from './run-file.js';

const FORMATS = ['table', 'md', 'json'] as const;

interface CompareOptions {
  maxRegression: number;
  format: (typeof FORMATS)[number];
}

/** `10%` or `10` (percent) -> 0.1. */
export function percentOption(value: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a percentage such as 10%.');
  return Number(match[1]) / 100;
}

export function compareCommand(setExit: (code: Promise<number>) => void): Command {
  return new Command('compare')
    .description('compare two run results metric by metric and fail on a regression')
    .argument('<base>', 'the reference run result')
    .argument('<head>', 'the run result to check')
    .option('--max-regression <percent>', 'how much worse latency, CPU and rates may get (bytes may not grow at all)', percentOption, 0.1)
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .action((base: string, head: string, options: CompareOptions) => setExit(compare(base, head, options)));
}

async function compare(baseFile: string, headFile: string, options: CompareOptions): Promise<number> {
  const base = await readRunFile(baseFile, 'compare');
  if (typeof base === 'number') return base;
  const head = await readRunFile(headFile, 'compare');
  if (typeof head === 'number') return head;
  if (base.scenario !== head.scenario) {
    console.error(`rtbench compare: note: the runs are of different scenarios (${base.scenario} vs ${head.scenario})`);
  }
  const comparison = compareRuns(base, head, { maxRegression: options.maxRegression });
  const text =
    options.format === 'json'
      ? `${JSON.stringify(comparison, null, 2)}\n`
      : options.format === 'md'
        ? comparisonMarkdown(comparison)
        : comparisonText(comparison);
  process.stdout.write(text);
  if (comparison.regressions.length === 0) return EXIT.ok;
  console.error(`rtbench compare: ${comparisonVerdict(comparison)}`);
  return EXIT.gateFailed;
}
