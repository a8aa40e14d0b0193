import { el, svg } from './dom.js';

// Charts drawn as SVG by hand: no chart library is installed in this project, and these three need
// a polyline, a few bars and an axis each.

export interface Sample {
  t: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  expired: number;
  pending: number;
}

const width = 420;
const height = 160;
const pad = { left: 44, right: 10, top: 10, bottom: 24 };

function frame(title: string, name: string, yMax: number, xLabel: string): { root: HTMLElement; plot: SVGElement; x: (f: number) => number; y: (v: number) => number } {
  const plot = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, 'data-chart': name });
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const x = (fraction: number) => pad.left + fraction * innerW;
  const y = (value: number) => pad.top + innerH - (yMax === 0 ? 0 : (value / yMax) * innerH);
  plot.appendChild(svg('line', { x1: pad.left, y1: pad.top + innerH, x2: pad.left + innerW, y2: pad.top + innerH, stroke: 'currentColor', 'stroke-opacity': 0.4 }));
  plot.appendChild(svg('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: pad.top + innerH, stroke: 'currentColor', 'stroke-opacity': 0.4 }));
  plot.appendChild(svg('text', { x: pad.left - 4, y: pad.top + 8, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, formatAxis(yMax)));
  plot.appendChild(svg('text', { x: pad.left - 4, y: pad.top + innerH, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, '0'));
  plot.appendChild(svg('text', { x: pad.left + innerW, y: height - 6, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, xLabel));
  const root = el('div', { class: 'chart' }, el('h3', {}, title), plot);
  return { root, plot, x, y };
}

function formatAxis(value: number): string {
  return value >= 10_000 ? `${Math.round(value / 1000)}k` : String(Math.round(value * 10) / 10);
}

function line(points: Array<[number, number]>, color: string, series: string): SVGElement {
  return svg('polyline', { points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2, 'data-series': series });
}

/** Finished items over time (succeeded and failed), from the samples the viewer took while watching. */
export function progressChart(samples: Sample[]): HTMLElement {
  const total = samples.reduce((max, s) => Math.max(max, s.succeeded + s.failed + s.cancelled + s.expired + s.pending), 0);
  const seconds = samples.length > 1 ? (samples[samples.length - 1]!.t - samples[0]!.t) / 1000 : 0;
  const chart = frame('Progress over time (items done)', 'progress', total, samples.length > 1 ? `${seconds.toFixed(1)} s watched` : 'one sample so far');
  if (samples.length === 0) return chart.root;
  const t0 = samples[0]!.t;
  const span = Math.max(1, samples[samples.length - 1]!.t - t0);
  const at = (s: Sample) => (samples.length === 1 ? 1 : (s.t - t0) / span);
  chart.plot.appendChild(line(samples.map((s) => [chart.x(at(s)), chart.y(s.succeeded)]), 'var(--ok)', 'succeeded'));
  chart.plot.appendChild(line(samples.map((s) => [chart.x(at(s)), chart.y(s.failed)]), 'var(--bad)', 'failed'));
  return chart.root;
}

/** Items finished per second between samples. */
export function throughputChart(samples: Sample[]): HTMLElement {
  const rates: Array<[number, number]> = [];
  for (let index = 1; index < samples.length; index++) {
    const a = samples[index - 1]!;
    const b = samples[index]!;
    const done = (s: Sample) => s.succeeded + s.failed + s.cancelled + s.expired;
    rates.push([b.t, Math.max(0, (done(b) - done(a)) / Math.max(0.001, (b.t - a.t) / 1000))]);
  }
  const max = rates.reduce((m, [, r]) => Math.max(m, r), 0);
  const chart = frame('Throughput (items/s)', 'throughput', max, rates.length === 0 ? 'needs a running job' : `peak ${formatAxis(max)}/s`);
  if (rates.length === 0) return chart.root;
  const t0 = samples[0]!.t;
  const span = Math.max(1, samples[samples.length - 1]!.t - t0);
  chart.plot.appendChild(line(rates.map(([t, r]) => [chart.x((t - t0) / span), chart.y(r)]), 'var(--ok)', 'throughput'));
  return chart.root;
}

/** The journal in completion order, in slices: succeeded and failed per slice, as stacked bars. */
export function completionChart(slices: Array<{ succeeded: number; failed: number; other: number }>): HTMLElement {
  const max = slices.reduce((m, s) => Math.max(m, s.succeeded + s.failed + s.other), 0);
  const chart = frame('Outcomes in completion order', 'completion', max, slices.length === 0 ? 'no results yet' : `${slices.length} slices of the journal`);
  const barWidth = slices.length === 0 ? 0 : 1 / slices.length;
  slices.forEach((slice, index) => {
    const x = chart.x(index * barWidth);
    const w = Math.max(1, chart.x((index + 1) * barWidth) - x - 1);
    let base = 0;
    for (const [value, color, series] of [
      [slice.succeeded, 'var(--ok)', 'succeeded'],
      [slice.failed, 'var(--bad)', 'failed'],
      [slice.other, 'var(--other)', 'other'],
    ] as const) {
      if (value === 0) continue;
      const top = chart.y(base + value);
      chart.plot.appendChild(svg('rect', { x, y: top, width: w, height: chart.y(base) - top, fill: color, 'data-series': series }));
      base += value;
    }
  });
  return chart.root;
}
