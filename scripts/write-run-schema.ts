/** Writes docs/run-schema.json from the zod schema (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { runResultJsonSchemaText } from '../src/result/json-schema.js';

const file = new URL('../docs/run-schema.json', import.meta.url);
writeFileSync(file, runResultJsonSchemaText());
console.log(`wrote ${file.pathname}`);
