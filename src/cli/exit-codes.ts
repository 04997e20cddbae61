/** Exit codes of every rtbench command (documented in the README). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  gateFailed: 99,
} as const;
