/** Entry point of a cluster worker process (see worker.ts). */
import { runWorker } from './worker.js';

runWorker().catch((error: unknown) => {
  console.error('rtbench worker failed:', error);
  process.exit(1);
});
