/** The package's programmatic API, imported by its name as a user's code would (package.json "exports"). */
import { describe, expect, it } from 'vitest';

describe("import ... from 'rtbench'", () => {
  it('runs a scenario, gates it and renders it, as the README shows', async () => {
    const { Orchestrator, loadScenario, applyGates, RENDERERS, parseRunResult, PACKAGE_VERSION } = await import('rtbench');
    const scenario = { ...(await loadScenario('smoke')), transports: ['ws' as const], clients: 20, durationMs: 1000, drainMs: 500 };
    const run = new Orchestrator(scenario);
    const phases = new Set<string>();
    run.on('progress', (p: { phase: string }) => phases.add(p.phase));
    const result = await run.run();
    result.gates = applyGates(result, ['lost==0', 'ws.clients.open==20']);
    expect(result.gates.map((gate) => gate.pass)).toEqual([true, true]);
    expect(parseRunResult(JSON.parse(RENDERERS.json(result)), 'api run').transports.ws!.clients.open).toBe(20);
    expect(RENDERERS.md(result)).toContain('| ws | 20/20 |');
    expect([...phases]).toEqual(expect.arrayContaining(['server', 'ramp', 'steady', 'drain', 'teardown']));
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  }, 60_000);
});
