/**
 * What every chart shares: escaping, scales, ticks and colours. Charts are
 * SVG strings drawn by hand, so a report is one self-contained file.
 */

export function esc(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates with one decimal: enough for a screen, short in the file. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Transport colours (Okabe-Ito, readable for colour-blind readers), stable across charts. */
const TRANSPORT_COLORS: Record<string, string> = {
  'short-poll': '#E69F00',
  'long-poll': '#56B4E9',
  sse: '#009E73',
  fallback: '#CC79A7',
  ws: '#0072B2',
};
const SPARE_COLORS = ['#D55E00', '#F0E442', '#000000', '#7F7F7F'];
export const MODEL_COLOR = '#A0A0A0';

export function transportColor(name: string, index: number): string {
  return TRANSPORT_COLORS[name] ?? SPARE_COLORS[index % SPARE_COLORS.length]!;
}

/** 0 and round steps (1, 2 or 5 x 10^n) up to at least `max`; at most about six. */
export function linearTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let tick = 0; tick < max + step / 2 && ticks.length < 12; tick += step) ticks.push(Number(tick.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/**
 * Powers of ten from below `min` to above `max` (both > 0); the first and
 * last are the axis ends. Over two decades or fewer, 2x and 5x steps are
 * added so the axis still has labels to read values against.
 */
export function logTicks(min: number, max: number): number[] {
  const low = Math.floor(Math.log10(min));
  const high = Math.max(low + 1, Math.ceil(Math.log10(max)));
  const steps = high - low <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = low; e <= high; e++) {
    for (const step of steps) if (e < high || step === 1) ticks.push(Number((step * 10 ** e).toPrecision(12)));
  }
  return ticks;
}

export interface ChartFrame {
  /** data-chart attribute: what tests and styles select on. */
  id: string;
  title: string;
  width: number;
  height: number;
}

export function svgOpen(frame: ChartFrame): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(frame.id)}" role="img" ` +
    `aria-labelledby="${esc(frame.id)}-title" width="${frame.width}" height="${frame.height}" ` +
    `viewBox="0 0 ${frame.width} ${frame.height}" font-family="system-ui, sans-serif" font-size="12">` +
    `<title id="${esc(frame.id)}-title">${esc(frame.title)}</title>`
  );
}

export function legend(items: { name: string; color: string }[], x: number, y: number): string {
  let offset = 0;
  return items
    .map((item) => {
      const text =
        `<g class="legend-item"><rect x="${px(x + offset)}" y="${px(y - 9)}" width="10" height="10" fill="${item.color}"/>` +
        `<text x="${px(x + offset + 14)}" y="${px(y)}">${esc(item.name)}</text></g>`;
      offset += 24 + item.name.length * 7;
      return text;
    })
    .join('');
}
