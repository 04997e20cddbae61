/**
 * Number formatting shared by every renderer, fixed to en-US so a report is
 * byte-for-byte the same wherever it is rendered (tests depend on that).
 */
const formatters = new Map<number, Intl.NumberFormat>();

/** Grouped thousands, at most `decimals` decimals, trailing zeros dropped. */
export function formatNumber(value: number, decimals = 2): string {
  let formatter = formatters.get(decimals);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals });
    formatters.set(decimals, formatter);
  }
  return formatter.format(value);
}

/** `digits` significant figures (whole numbers keep every digit), grouped, trailing zeros dropped. */
export function formatSignificant(value: number, digits = 4): string {
  if (value === 0 || !Number.isFinite(value)) return formatNumber(value, 0);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return formatNumber(Number(value.toFixed(Math.min(decimals, 20))), decimals);
}

/** A latency given in microseconds, in milliseconds with the decimals its size deserves. */
export function formatMs(us: number): string {
  const ms = us / 1000;
  return formatNumber(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0);
}

/** A bit rate, scaled to bit/s, kbit/s, Mbit/s or Gbit/s (SI). */
export function formatBitrate(bitsPerS: number): string {
  const scales: [number, string][] = [
    [1e9, 'Gbit/s'],
    [1e6, 'Mbit/s'],
    [1e3, 'kbit/s'],
  ];
  for (const [scale, label] of scales) if (bitsPerS >= scale) return `${formatSignificant(bitsPerS / scale)} ${label}`;
  return `${formatSignificant(bitsPerS)} bit/s`;
}

/** A gate or comparison value in its canonical unit (see src/gates/units.ts). */
export function formatQuantity(value: number, unit: string | undefined): string {
  switch (unit) {
    case 'bps':
      return formatBitrate(value);
    case 'b':
      return `${formatNumber(value, 2)} B`;
    case 'mb':
      return `${formatNumber(value, 1)} MB`;
    case 'ms':
      return `${formatNumber(value, value < 10 ? 3 : value < 100 ? 2 : 1)} ms`;
    case 'us':
      return `${formatNumber(value, 2)} us`;
    case 's':
      return `${formatNumber(value, 2)} s`;
    case '%':
      return `${formatNumber(value, 2)}%`;
    case 'x':
      return `${formatSignificant(value)}x`;
    case '/s':
      return `${formatNumber(value, 1)}/s`;
    default:
      return formatNumber(value, 2);
  }
}

/** A relative change as a signed percentage: +12.3%, -4%. */
export function formatChange(change: number): string {
  if (!Number.isFinite(change)) return change > 0 ? '+inf' : '-inf';
  const percent = change * 100;
  // Two significant figures for small changes, so +0.007% does not read as +0%.
  const text = Math.abs(percent) >= 10 ? formatNumber(percent, 1) : formatSignificant(percent, 2);
  return change > 0 ? `+${text}%` : `${text}%`;
}
