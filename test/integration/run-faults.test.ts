/**
 * The `faults` scenario end to end, small: while a steady broadcast runs on
 * three server workers, one worker is killed with -9 and a share of the
 * client connections is reset by the server. The clients reconnect and
 * resume from their cursors: nothing lost, duplicated or reordered, every
 * fault listed with what the clients saw, exit 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/schema.js';
import { CLI } from '../helpers/server.js';

describe('rtbench run faults', () => {
  it('kills a worker and resets connections; clients resume with nothing lost (ws and fallback)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rtbench-faults-'));
    const scenario = path.join(dir, 'faults-small.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'faults-small',
        kind: 'faults',
        transports: ['ws', 'fallback'],
        clients: 60,
        channels: 4,
        rate: 5,
        payloadBytes: 16,
        durationMs: 5000,
        rampPerSec: 500,
        drainMs: 2000,
        serverWorkers: 3,
        faults: [
          { at_s: 1.5, action: 'kill-worker' },
          { at_s: 3.5, action: 'drop-connections', share: 0.3 },
          // The last updates are delivered, then connections are reset just
          // before the steady phase ends: the drain must wait for those
          // clients to come back rather than end on a full delivery count.
          { at_s: 4.4, action: 'pause-publisher', duration_s: 1 },
          { at_s: 4.8, action: 'drop-connections', share: 0.3 },
        ],
        thresholds: ['lost==0', 'duplicated==0', 'reordered==0'],
      }),
    );
    const run = spawnSync(process.execPath, [CLI, 'run', scenario, '--out', dir, '--report', 'none', '--quiet'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as RunResult;
    expect(result.status).toBe('ok');
    for (const [name, t] of Object.entries(result.transports)) {
      expect(t.updates, name).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
      expect(t.updates.delivered, name).toBe(t.updates.expected);
      expect(t.clients, name).toMatchObject({ open: 60, dropped: 0 });
      expect(t.clients.reconnected!, name).toBeGreaterThan(0);
    }
    expect(result.faults!.map((f) => `${f.transport} ${f.action}`)).toEqual([
      'ws kill-worker',
      'ws drop-connections',
      'ws pause-publisher',
      'ws drop-connections',
      'fallback kill-worker',
      'fallback drop-connections',
      'fallback pause-publisher',
      'fallback drop-connections',
    ]);
    for (const fault of result.faults!) expect(fault.detail, JSON.stringify(fault)).not.toContain('could not inject');
    expect(result.events!.filter((e) => e.kind === 'fault')).toHaveLength(8);
    expect(result.gates.every((gate) => gate.pass)).toBe(true);
  }, 150_000);
});
