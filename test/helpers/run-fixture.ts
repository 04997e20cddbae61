/** The fixture run result, parsed through the schema as every reader does; a fresh copy per call. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRunResult, type RunResult } from '../../src/result/schema.js';

export const SMOKE_FIXTURE = fileURLToPath(new URL('../fixtures/run-smoke.json', import.meta.url));

export function smokeJson(): Record<string, any> {
  return JSON.parse(readFileSync(SMOKE_FIXTURE, 'utf8'));
}

export function smokeRun(edit: (json: Record<string, any>) => void = () => {}): RunResult {
  const json = smokeJson();
  edit(json);
  return parseRunResult(json, 'run-smoke.json');
}
