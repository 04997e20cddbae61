import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that run alone: they drive thousands of sessions (run-command: 1,500
 * on --workers 3), a browser, or child-process runs whose assertions include
 * how fast something is noticed (a dead client process within 3 s, Ctrl-C
 * within 2.5 s, an agent silent for 2 s, a change in the other window within
 * a second), or they measure a server's memory. On a 2-core machine a
 * neighbour file would only add noise to those, and they to it.
 */
const SERIAL = [
  'test/e2e/**/*.test.ts',
  'test/integration/run-command.test.ts',
  'test/integration/agents.test.ts',
  'test/integration/run-failures.test.ts',
  'test/integration/latency-stall.test.ts',
  'test/integration/hardening-memory.test.ts',
];

/**
 * The longest files of the parallel group, started first (the two
 * child-process runs not side by side): without vitest's cache of last
 * durations (a clean clone, CI) files go largest first, and a short file
 * that runs 30 s (run-faults) started last kept one worker busy long after
 * the other had finished.
 */
const LONGEST_FIRST = [
  'test/integration/agents-nodes.test.ts',
  'test/integration/fallback-clients.test.ts',
  'test/integration/run-faults.test.ts',
  'test/integration/fuzz.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(file));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep the base order.
    return sorted.sort((a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b));
  }
}

const shared = { testTimeout: 30_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        // Everything else waits on sockets and timers far more than it
        // computes: two files at a time roughly halve their wall time. That
        // includes the child-process runs of a few dozen clients that time
        // nothing (run-faults, agents-nodes: counts, bytes and exit codes):
        // they mostly sleep through their steady phases.
        test: {
          ...shared,
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: [...SERIAL, 'test/unit/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Unit tests start no process and hold no state between files: one
        // module graph per worker instead of one per file (each file's own
        // import was most of its time: 38 s for test/unit alone, 9 s so).
        test: {
          ...shared,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'serial',
          include: SERIAL,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
