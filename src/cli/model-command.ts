/** `rtbench model`: the talk's bandwidth table from first principles, optionally beside a run's measurements. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { modelTable, TALK_MODEL, type ModelOptions } from '../model/bandwidth-model.js';
import { FRAMINGS, type Framing } from '../model/frame-size.js';
import { deflateModel } from '../model/deflate-model.js';
import { http2Model } from '../model/http2-model.js';
import { measuredVsModel } from '../model/measured-vs-model.js';
import { measuredTableText, modelTableText, type TextTable } from '../report/model-tables.js';
import { deflateTableText, http2TableText } from '../report/today-model-tables.js';
import type { RunResult } from '../result/schema.js';
import { markdownTable, textTable } from '../report/tables.js';
import { runHeadline } from '../report/transport-table.js';
import { EXIT } from './exit-codes.js';
import { integerOption } from './options.js';
import { readRunFile } from './run-file.js';

const FORMATS = ['table', 'json', 'md'] as const;

interface ModelCliOptions {
  clients: number[];
  rate: number;
  headerBytes: number;
  payload: number;
  framing: Framing;
  fromRun?: string;
  format: (typeof FORMATS)[number];
}

function clientList(value: string): number[] {
  const counts = value.split(',').map((part) => part.trim().replace(/_/g, ''));
  if (counts.some((count) => !/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 1e9)) {
    throw new InvalidArgumentError('expected client counts from 1 to 1000000000, comma-separated (1000,10000,100000).');
  }
  return counts.map(Number);
}

function rate(value: string): number {
  const number = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(number > 0) || number > 1e6)
    throw new InvalidArgumentError('expected updates per second, a number > 0.');
  return number;
}

export function modelCommand(setExit: (code: Promise<number>) => void): Command {
  return new Command('model')
    .description("reproduce the talk's bandwidth table from first principles (and set a run's measurements beside it)")
    .option('--clients <list>', 'client counts, comma-separated', clientList, [...TALK_MODEL.clients])
    .option('--rate <n>', 'updates per second per client', rate, TALK_MODEL.rate)
    .option('--header-bytes <n>', 'HTTP request + response header bytes per poll', integerOption(0, 1_000_000), TALK_MODEL.headerBytes)
    .option('--payload <bytes>', 'payload bytes per update', integerOption(0, 1_000_000_000), TALK_MODEL.payloadBytes)
    .addOption(
      new Option('--framing <kind>', 'WebSocket framing: the draft (0x00 ... 0xFF) or RFC 6455')
        .choices(FRAMINGS)
        .default(TALK_MODEL.framing),
    )
    .option('--from-run <file>', 'a run result (rtbench.run/1): show its measured bytes per update beside the model')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .action((options: ModelCliOptions) => setExit(model(options)));
}

async function model(options: ModelCliOptions): Promise<number> {
  const modelOptions: ModelOptions = {
    clients: options.clients,
    rate: options.rate,
    headerBytes: options.headerBytes,
    payloadBytes: options.payload,
    framing: options.framing,
  };
  let run: RunResult | undefined;
  if (options.fromRun !== undefined) {
    const loaded = await readRunFile(options.fromRun, 'model');
    if (typeof loaded === 'number') return loaded;
    run = loaded;
  }
  const table = modelTable(modelOptions);
  const http2 = http2Model(options.payload);
  const deflate = deflateModel(options.payload);
  const measured = run ? measuredVsModel(run, modelOptions).measured : undefined;
  if (options.format === 'json') {
    const out = {
      model: table,
      http2,
      deflate,
      ...(run && { run: { file: options.fromRun, scenario: run.scenario, started_at: run.started_at }, measured }),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  }
  const render = (t: TextTable) =>
    options.format === 'md'
      ? `${t.title}\n\n${markdownTable(t.header, t.rows)}\n\n${t.notes.join(' ')}\n`
      : `${t.title}\n\n${textTable(t.header, t.rows)}\n\n${t.notes.join('\n')}\n`;
  const largest = Math.max(...options.clients);
  let text = render(modelTableText(table));
  text += `\n${render(http2TableText(http2, largest, options.rate))}`;
  text += `\n${render(deflateTableText(deflate, largest, options.rate))}`;
  if (run && measured) {
    text += `\n${options.format === 'md' ? `Run ${options.fromRun}: ${runHeadline(run)}.` : `Run ${options.fromRun}: ${runHeadline(run)}`}\n\n`;
    text += render(measuredTableText(table, measured));
  }
  process.stdout.write(text);
  return EXIT.ok;
}
