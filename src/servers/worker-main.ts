/** Entry point of a cluster worker process (see cluster-worker.ts). */
import { runWorker } from './cluster-worker.js';

runWorker().catch((error: unknown) => {
  console.error('rtbench worker failed:', error);
  process.exit(1);
});
