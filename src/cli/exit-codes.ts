/**
 * Exit codes of every rtbench command (documented in the README). 99 for a
 * failed threshold is k6's; 98 says the run itself cannot be trusted (the
 * server died, the target never answered, publishes failed, a client process
 * died, fewer clients than asked); 130 and 143 are the shell's for a run
 * stopped by SIGINT and SIGTERM.
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  invalidRun: 98,
  gateFailed: 99,
  interrupted: 130,
  terminated: 143,
} as const;
