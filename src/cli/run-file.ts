/** Reading a run result for a command, with the exit code each failure deserves. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadRunResult, RunFileError } from '../result/load.js';
import type { RunResult } from '../result/schema.js';
import { EXIT } from './exit-codes.js';

/** The result, or the exit code after saying what is wrong: 1 unreadable, 2 not a valid run result. */
export async function readRunFile(file: string, command: string): Promise<RunResult | number> {
  try {
    return await loadRunResult(file);
  } catch (error) {
    if (!(error instanceof RunFileError)) throw error;
    console.error(`rtbench ${command}: ${error.message}`);
    return error.kind === 'io' ? EXIT.error : EXIT.usage;
  }
}

/** Writes to `out` (creating its folder) or to stdout; an unwritable path is exit 1. */
export async function writeOutput(text: string, out: string | undefined, command: string): Promise<number> {
  if (out === undefined) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFile(out, text);
  } catch (error) {
    console.error(`rtbench ${command}: cannot write ${out}: ${(error as Error).message}`);
    return EXIT.error;
  }
  console.error(`rtbench ${command}: wrote ${out}`);
  return EXIT.ok;
}
