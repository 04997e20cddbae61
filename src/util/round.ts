/** Rounds to `digits` decimals: results carry figures, not float noise. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
