/**
 * The run result as JSON Schema (draft 2020-12), generated from the zod
 * schema so that tools in other languages can validate a result file. The
 * committed copy is docs/run-schema.json; a test keeps it current.
 */
import { z } from 'zod';
import { RUN_SCHEMA_ID, runResultSchema } from './schema.js';

export function runResultJsonSchema(): Record<string, unknown> {
  // 'input': what a file may contain (gates may be left out), not what the
  // parser hands back after filling defaults.
  const schema = z.toJSONSchema(runResultSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    title: `rtbench run result (${RUN_SCHEMA_ID})`,
    description: 'Written by `rtbench run`; read by `rtbench report`, `compare`, gates and CI. Fields: docs/run-schema.md.',
  };
}

export function runResultJsonSchemaText(): string {
  return `${JSON.stringify(runResultJsonSchema(), null, 2)}\n`;
}
