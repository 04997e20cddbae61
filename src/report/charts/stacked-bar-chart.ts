/** Horizontal bars split into segments (e.g. overhead vs payload), with a legend. */
import { esc, legend, linearTicks, px, svgOpen } from './svg.js';

export interface StackedBar {
  label: string;
  segments: number[];
}

export interface StackedBarChartOptions {
  id: string;
  title: string;
  series: { name: string; color: string }[];
  bars: StackedBar[];
  format: (value: number) => string;
  axisLabel: string;
}

const WIDTH = 760;
const LEFT = 180;
const RIGHT = 90;
const ROW = 28;
const TOP = 30;
const BOTTOM = 44;

export function stackedBarChart(options: StackedBarChartOptions): string {
  const totals = options.bars.map((bar) => bar.segments.reduce((a, b) => a + b, 0));
  const ticks = linearTicks(Math.max(0, ...totals));
  const max = ticks[ticks.length - 1]!;
  const plot = WIDTH - LEFT - RIGHT;
  const height = TOP + options.bars.length * ROW + BOTTOM;
  const scale = (value: number) => (value / max) * plot;
  const axisY = TOP + options.bars.length * ROW;
  const parts = [svgOpen({ id: options.id, title: options.title, width: WIDTH, height }), legend(options.series, LEFT, 14)];
  for (const tick of ticks) {
    const x = LEFT + scale(tick);
    parts.push(
      `<line class="grid" x1="${px(x)}" y1="${TOP}" x2="${px(x)}" y2="${axisY}" stroke="#e3e3e3"/>` +
        `<text x="${px(x)}" y="${axisY + 16}" text-anchor="middle" fill="#555">${esc(options.format(tick))}</text>`,
    );
  }
  options.bars.forEach((bar, index) => {
    const y = TOP + index * ROW;
    parts.push(`<text x="${LEFT - 8}" y="${px(y + ROW / 2 + 4)}" text-anchor="end">${esc(bar.label)}</text>`);
    let x = LEFT;
    bar.segments.forEach((value, s) => {
      if (value <= 0) return;
      const width = scale(value);
      const series = options.series[s]!;
      parts.push(
        `<rect class="bar" data-series="${esc(series.name)}" x="${px(x)}" y="${px(y + 5)}" width="${px(width)}" height="${ROW - 10}" fill="${series.color}">` +
          `<title>${esc(`${bar.label}, ${series.name}: ${options.format(value)}`)}</title></rect>`,
      );
      x += width;
    });
    parts.push(`<text class="value" x="${px(x + 6)}" y="${px(y + ROW / 2 + 4)}">${esc(options.format(totals[index]!))}</text>`);
  });
  parts.push(
    `<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#888"/>` +
      `<text x="${px(LEFT + plot / 2)}" y="${height - 8}" text-anchor="middle" fill="#333">${esc(options.axisLabel)}</text></svg>`,
  );
  return parts.join('');
}
