/**
 * Reading a run result file. Two ways to fail, told apart because the CLI
 * answers them differently: the file cannot be read (exit 1), or it is not a
 * valid run result (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { parseRunResult, RunResultError, type RunResult } from './run-schema.js';

export class RunFileError extends Error {
  constructor(
    message: string,
    readonly kind: 'io' | 'invalid',
  ) {
    super(message);
  }
}

export async function loadRunResult(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RunFileError(`cannot read ${file}: ${(error as Error).message}`, 'io');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RunFileError(`${file} is not JSON: ${(error as Error).message}`, 'invalid');
  }
  try {
    return parseRunResult(json, file);
  } catch (error) {
    if (error instanceof RunResultError) throw new RunFileError(error.message, 'invalid');
    throw error;
  }
}
