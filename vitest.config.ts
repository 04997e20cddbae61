import { defineConfig } from 'vitest/config';

/**
 * Files that run alone: they drive thousands of sessions, a browser, or
 * child-process runs whose assertions include how fast something is noticed
 * (a dead client process within 3 s, Ctrl-C within 2.5 s). On a 2-core
 * machine a neighbour file would only add noise to those.
 */
const SERIAL = [
  'test/e2e/**/*.test.ts',
  'test/integration/run-command.test.ts',
  'test/integration/agents.test.ts',
  'test/integration/agents-nodes.test.ts',
  'test/integration/run-failures.test.ts',
  'test/integration/run-faults.test.ts',
  'test/integration/latency-stall.test.ts',
  'test/integration/hardening-memory.test.ts',
];

const shared = { testTimeout: 30_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    projects: [
      {
        // Everything else waits on sockets and timers far more than it
        // computes: two files at a time roughly halve their wall time.
        test: {
          ...shared,
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: SERIAL,
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
