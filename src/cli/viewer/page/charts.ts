import { scaleLinear, scaleTime } from 'd3-scale';
import { curveStepAfter, line as linePath } from 'd3-shape';
import { el, svg } from './dom.js';

// SVG charts: the scales, their ticks and the line paths come from d3 (d3-scale, d3-shape), bundled
// into the page; the elements are made here, every label a text node.

export interface Sample {
  t: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  expired: number;
  pending: number;
}

const width = 420;
const height = 172;
const pad = { left: 44, right: 10, top: 22, bottom: 24 };
const innerW = width - pad.left - pad.right;
const innerH = height - pad.top - pad.bottom;
const axisText = { 'font-size': 10, fill: 'currentColor' };

interface Frame {
  root: HTMLElement;
  plot: SVGElement;
  /** A fraction of the time axis (0 to 1) to its x position. */
  x: (fraction: number) => number;
  y: (value: number) => number;
}

/**
 * A chart's frame: the y axis from 0 to yMax with d3's round ticks and grid lines; the x axis with
 * clock-time ticks when `time` (its start and end, epoch ms) is given, and `xLabel` on the right.
 */
function frame(title: string, name: string, yMax: number, xLabel: string, time?: { start: number; end: number }): Frame {
  const plot = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, 'data-chart': name });
  const y = scaleLinear()
    .domain([0, yMax > 0 ? yMax : 1])
    .nice(4)
    .range([pad.top + innerH, pad.top]);
  // Counts: whole-number ticks only; '~s' (10k, 20k) from ten thousand up.
  const label = y.tickFormat(4, yMax >= 10_000 ? '~s' : ',d');
  for (const tick of y.ticks(4).filter(Number.isInteger)) {
    const at = y(tick);
    plot.appendChild(svg('line', { x1: pad.left, y1: at, x2: pad.left + innerW, y2: at, stroke: 'currentColor', 'stroke-opacity': tick === 0 ? 0.4 : 0.1 }));
    plot.appendChild(svg('text', { x: pad.left - 4, y: at + 3, 'text-anchor': 'end', ...axisText }, label(tick)));
  }
  plot.appendChild(svg('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: pad.top + innerH, stroke: 'currentColor', 'stroke-opacity': 0.4 }));
  if (time !== undefined && time.end > time.start) {
    const clock = scaleTime().domain([time.start, time.end]).range([pad.left, pad.left + innerW]);
    const format = clock.tickFormat(3);
    for (const tick of clock.ticks(3)) plot.appendChild(svg('text', { x: clock(tick), y: height - 6, 'text-anchor': 'middle', 'fill-opacity': 0.7, ...axisText }, format(tick)));
  }
  plot.appendChild(svg('text', { x: pad.left + innerW, y: pad.top - 10, 'text-anchor': 'end', ...axisText }, xLabel));
  const root = el('div', { class: 'chart' }, el('h3', {}, title), plot);
  const x = scaleLinear().domain([0, 1]).range([pad.left, pad.left + innerW]);
  return { root, plot, x: (fraction) => x(fraction), y: (value) => y(value) };
}

function formatAxis(value: number): string {
  return value >= 10_000 ? `${Math.round(value / 1000)}k` : String(Math.round(value * 10) / 10);
}

function line(points: Array<[number, number]>, color: string, series: string, step = false): SVGElement {
  const path = step ? linePath().curve(curveStepAfter) : linePath();
  return svg('path', { d: path(points) ?? '', fill: 'none', stroke: color, 'stroke-width': 2, 'data-series': series });
}

/** One bar per slot, succeeded, failed and other stacked (each a rect named by its series). */
function stackedBars(chart: Frame, slots: ReadonlyArray<{ succeeded: number; failed: number; other: number }>): void {
  const barWidth = slots.length === 0 ? 0 : 1 / slots.length;
  slots.forEach((slot, index) => {
    const x = chart.x(index * barWidth);
    const w = Math.max(1, chart.x((index + 1) * barWidth) - x - 1);
    let base = 0;
    for (const [value, color, series] of [
      [slot.succeeded, 'var(--ok)', 'succeeded'],
      [slot.failed, 'var(--bad)', 'failed'],
      [slot.other, 'var(--other)', 'other'],
    ] as const) {
      if (value === 0) continue;
      const top = chart.y(base + value);
      chart.plot.appendChild(svg('rect', { x, y: top, width: w, height: chart.y(base) - top, fill: color, 'data-series': series }));
      base += value;
    }
  });
}

/**
 * Finished items over time (succeeded and failed): from the samples the viewer took while watching,
 * or (`fromJournal`) from the results' end times, for a job that ran before the viewer watched it.
 */
export function progressChart(samples: Sample[], fromJournal = false): HTMLElement {
  const total = samples.reduce((max, s) => Math.max(max, s.succeeded + s.failed + s.cancelled + s.expired + s.pending), 0);
  const seconds = samples.length > 1 ? (samples[samples.length - 1]!.t - samples[0]!.t) / 1000 : 0;
  const chart = frame('Progress over time (items done)', 'progress', total, samples.length > 1 ? `${seconds.toFixed(1)} s ${fromJournal ? 'run' : 'watched'}` : 'one sample so far', spanOf(samples));
  chart.plot.setAttribute('data-samples', String(samples.length));
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
  const chart = frame('Throughput (items/s)', 'throughput', max, rates.length === 0 ? 'needs a running job' : `peak ${formatAxis(max)}/s`, spanOf(samples));
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
  stackedBars(chart, slices);
  return chart.root;
}

/** A run's timeline as the server sends it (see src/cli/viewer/run-timeline.ts). */
export interface Timeline {
  start: number;
  end: number;
  intervalMs: number;
  intervals: Array<{ succeeded: number; failed: number; other: number; retried: number; rateLimited: number }>;
  hasRunEvents: boolean;
  cooldowns: Array<{ start: number; end: number }>;
  concurrency: Array<{ at: number; size: number }>;
}

/** The timeline as progress samples: the counts at the end of each interval. */
export function samplesOf(timeline: Timeline, total: number): Sample[] {
  const samples: Sample[] = [{ t: timeline.start, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: total }];
  let succeeded = 0;
  let failed = 0;
  let other = 0;
  timeline.intervals.forEach((interval, index) => {
    succeeded += interval.succeeded;
    failed += interval.failed;
    other += interval.other;
    samples.push({ t: timeline.start + (index + 1) * timeline.intervalMs, succeeded, failed, cancelled: other, expired: 0, pending: Math.max(0, total - succeeded - failed - other) });
  });
  return samples;
}

function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Per interval: succeeded and failed as stacked bars, calls retried as a line. */
export function intervalChart(timeline: Timeline): HTMLElement {
  const { intervals } = timeline;
  const max = intervals.reduce((m, i) => Math.max(m, i.succeeded + i.failed + i.other, i.retried), 0);
  const retried = intervals.reduce((sum, i) => sum + i.retried, 0);
  const chart = frame('Per interval: ended and retried', 'intervals', max, `${seconds(timeline.intervalMs)} intervals · ${retried} retried`, runSpan(timeline));
  chart.plot.setAttribute('data-ended', String(intervals.reduce((sum, i) => sum + i.succeeded + i.failed + i.other, 0)));
  stackedBars(chart, intervals);
  const barWidth = 1 / intervals.length;
  if (retried > 0) chart.plot.appendChild(line(intervals.map((i, index) => [chart.x((index + 0.5) * barWidth), chart.y(i.retried)]), 'var(--warn)', 'retried'));
  return chart.root;
}

/**
 * The rate-limit story of an emulated run: 429s per interval (bars), the shared cooldowns (bands)
 * and the concurrency window (a step line, on its own scale: its peak is written on the right).
 */
export function rateLimitChart(timeline: Timeline): HTMLElement {
  const { intervals } = timeline;
  const max = intervals.reduce((m, i) => Math.max(m, i.rateLimited), 0);
  const limited = intervals.reduce((sum, i) => sum + i.rateLimited, 0);
  const peakWindow = timeline.concurrency.reduce((m, point) => Math.max(m, point.size), 0);
  const chart = frame('Rate limits: 429s, cooldowns, concurrency', 'rate-limits', max, `${limited} × 429 · ${timeline.cooldowns.length} cooldowns · window ≤ ${peakWindow}`, runSpan(timeline));
  const span = Math.max(1, intervals.length * timeline.intervalMs);
  const at = (t: number) => chart.x(Math.min(1, Math.max(0, (t - timeline.start) / span)));
  for (const cooldown of timeline.cooldowns) {
    const x = at(cooldown.start);
    chart.plot.appendChild(svg('rect', { x, y: pad.top, width: Math.max(1, at(cooldown.end) - x), height: innerH, fill: 'var(--warn)', 'fill-opacity': 0.18, 'data-series': 'cooldown' }));
  }
  const barWidth = 1 / intervals.length;
  intervals.forEach((interval, index) => {
    if (interval.rateLimited === 0) return;
    const x = chart.x(index * barWidth);
    const top = chart.y(interval.rateLimited);
    chart.plot.appendChild(svg('rect', { x, y: top, width: Math.max(1, chart.x((index + 1) * barWidth) - x - 1), height: chart.y(0) - top, fill: 'var(--bad)', 'data-series': 'rate-limited' }));
  });
  if (timeline.concurrency.length > 0 && peakWindow > 0) {
    const wy = scaleLinear().domain([0, peakWindow]).range([pad.top + innerH, pad.top]);
    const points: Array<[number, number]> = timeline.concurrency.map((point) => [at(point.at), wy(point.size)]);
    points.push([at(timeline.start + span), wy(timeline.concurrency[timeline.concurrency.length - 1]!.size)]);
    chart.plot.appendChild(line(points, 'var(--window)', 'concurrency', true));
    chart.plot.appendChild(svg('text', { x: width - pad.right, y: pad.top + 8, 'text-anchor': 'end', 'font-size': 10, fill: 'var(--window)' }, `window ${peakWindow}`));
  }
  return chart.root;
}

function spanOf(samples: Sample[]): { start: number; end: number } | undefined {
  return samples.length > 1 ? { start: samples[0]!.t, end: samples[samples.length - 1]!.t } : undefined;
}

function runSpan(timeline: Timeline): { start: number; end: number } {
  return { start: timeline.start, end: timeline.start + Math.max(1, timeline.intervals.length * timeline.intervalMs) };
}
