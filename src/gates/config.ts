/**
 * Thresholds from a JSON file. The list form is rtbench's own; the object
 * form is k6's (`"thresholds": {"ws.latency": ["p(99)<250ms"]}`, entries may
 * be strings or `{"threshold": "..."}`), so a k6 options block can be reused.
 */
import { z } from 'zod';
import { readJsonFile, type FileProblem } from '../util/read-json-file.js';
import { parseThresholds, type Threshold } from './parse.js';

const entry = z.union([z.string(), z.object({ threshold: z.string() }).transform((e) => e.threshold)]);
const configSchema = z.object({
  thresholds: z.union([z.array(z.string()), z.record(z.string(), z.array(entry))]),
});

export class GateConfigError extends Error {
  readonly code = 'RTB_ERR_GATE_CONFIG';
  constructor(
    message: string,
    readonly kind: FileProblem,
  ) {
    super(message);
  }
}

/** The threshold strings of a config value, k6's object form flattened to `target: condition`. */
export function thresholdsOf(config: unknown, source: string): string[] {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GateConfigError(
      `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}; expected {"thresholds": ["ws.latency: p(99)<250ms", ...]}`,
      'invalid',
    );
  }
  const { thresholds } = parsed.data;
  if (Array.isArray(thresholds)) return thresholds;
  return Object.entries(thresholds).flatMap(([target, conditions]) => conditions.map((condition) => `${target}: ${condition}`));
}

/** Reads, validates and parses a gate config file; a bad expression throws GateParseError. */
export async function loadGateConfig(file: string): Promise<Threshold[]> {
  const json = await readJsonFile(file, (message, kind) => new GateConfigError(message, kind));
  return parseThresholds(thresholdsOf(json, file));
}
