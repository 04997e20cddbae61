/** Horizontal bars on a linear axis, one per item, each labelled with its value. */
import { esc, linearTicks, px, svgOpen } from './svg.js';

export interface Bar {
  label: string;
  value: number;
  color: string;
  /** Printed after the bar instead of the formatted value. */
  text?: string;
}

export interface BarChartOptions {
  id: string;
  title: string;
  bars: Bar[];
  format: (value: number) => string;
  axisLabel: string;
}

const WIDTH = 760;
const LEFT = 180;
const RIGHT = 130;
const ROW = 28;
const TOP = 12;
const BOTTOM = 44;

export function barChart(options: BarChartOptions): string {
  const ticks = linearTicks(Math.max(0, ...options.bars.map((bar) => bar.value)));
  const max = ticks[ticks.length - 1]!;
  const plot = WIDTH - LEFT - RIGHT;
  const height = TOP + options.bars.length * ROW + BOTTOM;
  const x = (value: number) => LEFT + (value / max) * plot;
  const axisY = TOP + options.bars.length * ROW;
  const parts = [svgOpen({ id: options.id, title: options.title, width: WIDTH, height })];
  for (const tick of ticks) {
    parts.push(
      `<line class="grid" x1="${px(x(tick))}" y1="${TOP}" x2="${px(x(tick))}" y2="${axisY}" stroke="#e3e3e3"/>` +
        `<text x="${px(x(tick))}" y="${axisY + 16}" text-anchor="middle" fill="#555">${esc(options.format(tick))}</text>`,
    );
  }
  options.bars.forEach((bar, index) => {
    const y = TOP + index * ROW;
    // A value too small to see still gets a sliver, so no bar silently vanishes.
    const width = bar.value > 0 ? Math.max(1.5, x(bar.value) - LEFT) : 0;
    parts.push(
      `<text x="${LEFT - 8}" y="${px(y + ROW / 2 + 4)}" text-anchor="end">${esc(bar.label)}</text>` +
        `<rect class="bar" x="${LEFT}" y="${px(y + 5)}" width="${px(width)}" height="${ROW - 10}" fill="${bar.color}">` +
        `<title>${esc(`${bar.label}: ${bar.text ?? options.format(bar.value)}`)}</title></rect>` +
        `<text class="value" x="${px(LEFT + width + 6)}" y="${px(y + ROW / 2 + 4)}">${esc(bar.text ?? options.format(bar.value))}</text>`,
    );
  });
  parts.push(
    `<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#888"/>` +
      `<text x="${px(LEFT + plot / 2)}" y="${height - 8}" text-anchor="middle" fill="#333">${esc(options.axisLabel)}</text></svg>`,
  );
  return parts.join('');
}
