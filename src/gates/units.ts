/**
 * Units a threshold may be written in, by the kind of quantity. A metric has
 * one canonical unit (its values are reported in it); a limit written in any
 * unit of the same kind is converted to that one. Bytes use powers of 1024,
 * as the CLI's size options do; bit rates are SI, as network rates are.
 */
export type Kind = 'count' | 'bytes' | 'time' | 'bitrate' | 'rate' | 'ratio';

/** Factor of each unit to the kind's base (B, s, bit/s, 1/s, 1). Keys are lower case. */
export const UNITS: Record<Kind, Record<string, number>> = {
  count: {},
  bytes: { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 },
  time: { us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60 },
  bitrate: { bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9 },
  rate: { '/s': 1 },
  ratio: { x: 1, '%': 0.01 },
};

/** The value of one `unit` in the base unit of `kind`, or undefined if the kind has no such unit. */
export function unitFactor(kind: Kind, unit: string): number | undefined {
  return UNITS[kind][unit.toLowerCase()];
}

export function unitsOf(kind: Kind): string[] {
  return Object.keys(UNITS[kind]);
}

/** Whether `unit` is a unit of any kind. */
export function isUnit(unit: string): boolean {
  return Object.values(UNITS).some((units) => unit.toLowerCase() in units);
}
