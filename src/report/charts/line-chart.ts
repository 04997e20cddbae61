/** Lines over time, one per series, on linear axes starting at 0. */
import { esc, legend, linearTicks, px, svgOpen } from './svg.js';

export interface LineChartOptions {
  id: string;
  title: string;
  series: { name: string; color: string; points: [number, number][] }[];
  xLabel: string;
  yLabel: string;
  formatY: (value: number) => string;
}

const WIDTH = 760;
const LEFT = 70;
const RIGHT = 20;
const TOP = 34;
const PLOT_HEIGHT = 220;
const BOTTOM = 44;

export function lineChart(options: LineChartOptions): string {
  const points = options.series.flatMap((series) => series.points);
  const xTicks = linearTicks(Math.max(0, ...points.map(([x]) => x)));
  const yTicks = linearTicks(Math.max(0, ...points.map(([, y]) => y)));
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const axisY = TOP + PLOT_HEIGHT;
  const height = axisY + BOTTOM;
  const x = (value: number) => LEFT + (value / xMax) * plotWidth;
  const y = (value: number) => axisY - (value / yMax) * PLOT_HEIGHT;
  const parts = [svgOpen({ id: options.id, title: options.title, width: WIDTH, height }), legend(options.series, LEFT, 16)];
  for (const tick of yTicks) {
    parts.push(
      `<line class="grid" x1="${LEFT}" y1="${px(y(tick))}" x2="${WIDTH - RIGHT}" y2="${px(y(tick))}" stroke="#e3e3e3"/>` +
        `<text x="${LEFT - 6}" y="${px(y(tick) + 4)}" text-anchor="end" fill="#555">${esc(options.formatY(tick))}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(`<text x="${px(x(tick))}" y="${axisY + 16}" text-anchor="middle" fill="#555">${esc(String(tick))}</text>`);
  }
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const sorted = [...series.points].sort((a, b) => a[0] - b[0]);
    const d = sorted.map(([px1, py], i) => `${i === 0 ? 'M' : 'L'}${px(x(px1))},${px(y(py))}`).join(' ');
    parts.push(
      `<path class="line" data-series="${esc(series.name)}" d="${d}" fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round">` +
        `<title>${esc(series.name)}</title></path>`,
    );
  }
  parts.push(
    `<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#888"/>` +
      `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${axisY}" stroke="#888"/>` +
      `<text x="${px(LEFT + plotWidth / 2)}" y="${height - 8}" text-anchor="middle" fill="#333">${esc(options.xLabel)}</text>` +
      `<text transform="translate(14 ${px(TOP + PLOT_HEIGHT / 2)}) rotate(-90)" text-anchor="middle" fill="#333">${esc(options.yLabel)}</text></svg>`,
  );
  return parts.join('');
}
