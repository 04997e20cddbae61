/** Entry point of a cluster worker process (see worker.ts). */
import { existsSync } from 'node:fs';

/**
 * Test hook: while the file this names exists, a worker exits with code 3
 * as it starts, so tests can make worker starts fail on cue (restart back-off
 * and giving up, restart-policy.ts). Unset in normal use.
 */
const FAIL_IF = process.env.RTBENCH_TEST_FAIL_WORKER_IF;

if (FAIL_IF && existsSync(FAIL_IF)) {
  console.error(`rtbench worker ${process.pid}: failing at start (test hook: ${FAIL_IF} exists)`);
  process.exit(3);
}

// Loaded after the hook, so a failing start is quick.
const { runWorker } = await import('./worker.js');
runWorker().catch((error: unknown) => {
  console.error('rtbench worker failed:', error);
  process.exit(1);
});
