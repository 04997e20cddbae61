/**
 * Live time-series charts on uPlot (loaded as a classic script, the global
 * `uPlot`): one series per transport on the run's clock. Each chart counts
 * its redraws in `data-updates` and its points in `data-points`, which is
 * what a test (or a curious person) can read.
 */
import type UPlot from 'uplot';

const uPlot = (globalThis as unknown as { uPlot: typeof UPlot }).uPlot;

export const TRANSPORT_COLORS: Record<string, string> = {
  'short-poll': '#b3261e',
  'long-poll': '#e07b00',
  sse: '#7b3fb2',
  fallback: '#1b8a8a',
  ws: '#2f6fde',
};

export interface SeriesSpec {
  label: string;
  color: string;
  dashed?: boolean;
}

export class LiveChart {
  #plot: UPlot | undefined;

  constructor(
    private readonly element: HTMLElement,
    private readonly series: SeriesSpec[],
    private readonly unit: string,
  ) {
    new ResizeObserver(() => this.#plot?.setSize(this.#size())).observe(element);
  }

  /** Redraws with `xs` (seconds) and one array of values (null: no point) per series. */
  update(xs: number[], values: (number | null)[][]): void {
    const data = [xs, ...values] as UPlot.AlignedData;
    if (this.#plot) this.#plot.setData(data);
    else this.#plot = new uPlot(this.#options(), data, this.element);
    this.element.dataset.updates = String(Number(this.element.dataset.updates ?? 0) + 1);
    this.element.dataset.points = String(xs.length);
  }

  #size() {
    return { width: Math.max(300, this.element.clientWidth), height: 220 };
  }

  #options(): UPlot.Options {
    const unit = this.unit;
    return {
      ...this.#size(),
      scales: { x: { time: false } },
      axes: [
        { label: 'seconds', values: (_u, ticks) => ticks.map((t) => `${t}s`) },
        { label: unit, size: 60 },
      ],
      series: [
        { label: 't (s)' },
        ...this.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: true,
          points: { show: false },
        })),
      ],
    };
  }
}
