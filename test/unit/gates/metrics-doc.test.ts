/** docs/gates.md lists exactly the metrics the gates understand, with their units. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../src/gates/metrics.js';

describe('docs/gates.md', () => {
  it('documents every metric name and field', () => {
    const doc = readFileSync(new URL('../../../docs/gates.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z0-9_.]+)` \| [^|]+ \| [^|]+ \| `([^`]+)` \|/gm)].map((m) => [m[1]!, m[2]!]);
    const byName = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);
    expect(rows.sort(byName)).toEqual([...METRICS.values()].map((metric) => [metric.name, metric.field]).sort(byName));
  });
});
