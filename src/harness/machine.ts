/** The machine a run was made on, as the result records it: figures only compare within one machine. */
import os from 'node:os';
import type { RunResult } from '../result/schema.js';
import { round } from '../util/round.js';

export function machineInfo(): RunResult['machine'] {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: process.platform,
    release: os.release(),
  };
}
