/**
 * Reading a JSON file that the user named. Two ways to fail, told apart
 * because the CLI answers them differently: the file cannot be read (exit 1),
 * or it is not JSON (exit 2, like any invalid input).
 */
import { readFile } from 'node:fs/promises';

export type FileProblem = 'io' | 'invalid';

export async function readJsonFile(file: string, fail: (message: string, kind: FileProblem) => Error): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fail(`cannot read ${file}: ${(error as Error).message}`, 'io');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`${file} is not JSON: ${(error as Error).message}`, 'invalid');
  }
}
