/**
 * Vertical bars in groups (one group per transport, one bar per series) on a
 * logarithmic axis: latency percentiles span orders of magnitude (a
 * millisecond at p50, a second at max), and a linear axis would hide the low ones.
 */
import { esc, legend, logTicks, px, svgOpen } from './svg.js';

export interface GroupedBarChartOptions {
  id: string;
  title: string;
  series: { name: string; color: string }[];
  /** values[i] belongs to series[i]; null = not measured. */
  groups: { label: string; values: (number | null)[] }[];
  format: (value: number) => string;
  axisLabel: string;
}

const WIDTH = 760;
const LEFT = 70;
const RIGHT = 20;
const TOP = 34;
const PLOT_HEIGHT = 240;
const BOTTOM = 40;

export function groupedBarChart(options: GroupedBarChartOptions): string {
  const values = options.groups.flatMap((group) => group.values).filter((v): v is number => v !== null && v > 0);
  const height = TOP + PLOT_HEIGHT + BOTTOM;
  const parts = [svgOpen({ id: options.id, title: options.title, width: WIDTH, height }), legend(options.series, LEFT, 16)];
  const axisY = TOP + PLOT_HEIGHT;
  const ticks = values.length ? logTicks(Math.min(...values), Math.max(...values)) : [1, 10];
  const low = Math.log10(ticks[0]!);
  const high = Math.log10(ticks[ticks.length - 1]!);
  const y = (value: number) => axisY - ((Math.log10(value) - low) / (high - low)) * PLOT_HEIGHT;
  for (const tick of ticks) {
    parts.push(
      `<line class="grid" x1="${LEFT}" y1="${px(y(tick))}" x2="${WIDTH - RIGHT}" y2="${px(y(tick))}" stroke="#e3e3e3"/>` +
        `<text x="${LEFT - 6}" y="${px(y(tick) + 4)}" text-anchor="end" fill="#555">${esc(options.format(tick))}</text>`,
    );
  }
  const groupWidth = (WIDTH - LEFT - RIGHT) / Math.max(1, options.groups.length);
  const barWidth = Math.min(22, (groupWidth * 0.8) / Math.max(1, options.series.length));
  options.groups.forEach((group, g) => {
    const start = LEFT + g * groupWidth + (groupWidth - barWidth * options.series.length) / 2;
    group.values.forEach((value, s) => {
      if (value === null || value <= 0) return;
      const top = y(value);
      const series = options.series[s]!;
      parts.push(
        `<rect class="bar" data-series="${esc(series.name)}" x="${px(start + s * barWidth)}" y="${px(top)}" width="${px(barWidth - 2)}" height="${px(axisY - top)}" fill="${series.color}">` +
          `<title>${esc(`${group.label} ${series.name}: ${options.format(value)}`)}</title></rect>`,
      );
    });
    const measured = group.values.some((value) => value !== null && value > 0);
    parts.push(
      `<text x="${px(LEFT + g * groupWidth + groupWidth / 2)}" y="${axisY + 16}" text-anchor="middle">${esc(group.label)}${measured ? '' : ' (none)'}</text>`,
    );
  });
  parts.push(
    `<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="#888"/>` +
      `<text transform="translate(14 ${px(TOP + PLOT_HEIGHT / 2)}) rotate(-90)" text-anchor="middle" fill="#333">${esc(options.axisLabel)}</text></svg>`,
  );
  return parts.join('');
}
