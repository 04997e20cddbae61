/** Reading a run result file: unreadable (kind 'io') or not a valid run result (kind 'invalid'). */
import { readJsonFile, type FileProblem } from '../util/read-json-file.js';
import { parseRunResult, RunResultError, type RunResult } from './schema.js';

export class RunFileError extends Error {
  constructor(
    message: string,
    readonly kind: FileProblem,
  ) {
    super(message);
  }
}

export async function loadRunResult(file: string): Promise<RunResult> {
  const json = await readJsonFile(file, (message, kind) => new RunFileError(message, kind));
  try {
    return parseRunResult(json, file);
  } catch (error) {
    if (error instanceof RunResultError) throw new RunFileError(error.message, 'invalid');
    throw error;
  }
}
