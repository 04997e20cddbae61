/** The run-result schema: the fixture and the harness's output are valid; a bad field is named. */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runResultJsonSchemaText } from '../../../src/result/json-schema.js';
import { parseRunResult, RUN_SCHEMA_ID, RunResultError, runResultSchema } from '../../../src/result/schema.js';
import { smokeJson, smokeRun } from '../../helpers/run-fixture.js';

function problems(edit: (json: Record<string, any>) => void): string {
  const json = smokeJson();
  edit(json);
  try {
    parseRunResult(json, 'bad.json');
  } catch (error) {
    expect(error).toBeInstanceOf(RunResultError);
    return (error as Error).message;
  }
  throw new Error('the result was accepted');
}

describe('run-result schema', () => {
  it('accepts the fixture, every transport of it', () => {
    const run = smokeRun();
    expect(run.schema).toBe(RUN_SCHEMA_ID);
    expect(Object.keys(run.transports)).toEqual(['short-poll', 'long-poll', 'sse', 'fallback', 'ws']);
    expect(run.timeline!.length).toBeGreaterThan(20);
    expect(run.gates).toEqual([]);
  });

  it('is published as JSON Schema: docs/run-schema.json is current (npm run schema writes it)', () => {
    const committed = readFileSync(new URL('../../../docs/run-schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(runResultJsonSchemaText());
  });

  it('the JSON Schema accepts the fixture and rejects what zod rejects', () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(runResultJsonSchemaText()));
    expect(validate(smokeJson()), JSON.stringify(validate.errors)).toBe(true);
    const bad = smokeJson();
    bad.transports.ws.updates.lost = -1;
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain('/transports/ws/updates/lost');
    expect(() => runResultSchema.parse(bad)).toThrow();
  });

  it('accepts the minimum (the core fields of docs/architecture.md), and defaults gates', () => {
    const minimal = {
      schema: 'rtbench.run/1',
      scenario: 'min',
      machine: {},
      config: {},
      transports: {
        ws: {
          clients: { target: 1, open: 1, failed: 0 },
          updates: { published: 1, expected: 1, delivered: 1, lost: 0, duplicated: 0, reordered: 0 },
          bytes: { down: 10, up: 0, payload: 8, per_update: 10, overhead_per_update: 2 },
          latency_us: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 },
          rate: { intended: 1, achieved: 1 },
          processes: { server: { cpu_s: 0, rss_peak_mb: 0 }, clients: { cpu_s: 0, rss_peak_mb: 0 } },
        },
      },
    };
    expect(parseRunResult(minimal, 'min.json').gates).toEqual([]);
  });

  it('names the bad field by its path', () => {
    expect(
      problems((json) => {
        json.transports['short-poll'].bytes.per_update = '243.99';
        delete json.transports.ws.updates.lost;
      }),
    ).toBe(
      'bad.json is not a valid rtbench.run/1 run result:\n' +
        '  transports.short-poll.bytes.per_update: Invalid input: expected number, received string\n' +
        '  transports.ws.updates.lost: Invalid input: expected number, received undefined',
    );
    expect(problems((json) => (json.gates = [{ expr: 'lost==0', value: 0 }]))).toContain(
      '  gates[0].pass: Invalid input: expected boolean, received undefined',
    );
    expect(problems((json) => (json.timeline[3].open = -1))).toContain('  timeline[3].open: Too small: expected number to be >=0');
  });

  it('refuses another schema version and names the one it reads', () => {
    expect(problems((json) => (json.schema = 'rtbench.run/2'))).toContain(
      '  schema: unsupported schema "rtbench.run/2"; this rtbench reads "rtbench.run/1"',
    );
  });

  it('refuses transport names a gate could not reference, and an empty run', () => {
    expect(problems((json) => (json.transports['Web Socket'] = json.transports.ws))).toContain(
      'transports.Web Socket: Invalid key in record',
    );
    expect(problems((json) => (json.transports = {}))).toContain('  transports: a run result needs at least one transport');
    for (const bad of ['sse+', '+h2', 'sse+H2', 'sse++h2', 'sse.h2']) {
      expect(problems((json) => (json.transports[bad] = json.transports.sse))).toContain(`transports.${bad}: Invalid key in record`);
    }
  });

  it('accepts variant names (base+variant), in results and in capacity searches', () => {
    const json = smokeJson();
    json.transports['sse+h2'] = json.transports.sse;
    json.transports['ws+deflate'] = json.transports.ws;
    json.transports['short-poll+h2+gzip'] = json.transports['short-poll'];
    expect(Object.keys(parseRunResult(json, 'variants.json').transports)).toContain('short-poll+h2+gzip');
  });
});
