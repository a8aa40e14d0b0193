/**
 * A small SVG generator for grouped horizontal bar charts: no dependency, deterministic output
 * (so a regenerated chart only changes when the numbers do).
 */
export interface BarGroup {
  readonly label: string;
  readonly bars: readonly { readonly series: string; readonly value: number; readonly note?: string }[];
}

export interface BarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly groups: readonly BarGroup[];
  /** The value of a full-width bar, e.g. 100 for percentages. */
  readonly max: number;
  /** Formats a value for its label. */
  readonly format: (value: number) => string;
  /** A vertical reference line, e.g. at 100%. */
  readonly reference?: { readonly value: number; readonly label: string };
}

const palette = ['#2563eb', '#f97316', '#a855f7', '#16a34a', '#dc2626', '#0891b2', '#ca8a04'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderBarChart(options: BarChartOptions): string {
  const series = [...new Set(options.groups.flatMap((group) => group.bars.map((bar) => bar.series)))];
  const color = (name: string): string => palette[series.indexOf(name) % palette.length] as string;
  const width = 860;
  const labelWidth = 190;
  const valueWidth = 90;
  const plotWidth = width - labelWidth - valueWidth - 20;
  const barHeight = 14;
  const barGap = 3;
  const groupGap = 18;
  const top = options.subtitle === undefined ? 50 : 68;
  const legendHeight = Math.ceil(series.length / 3) * 20 + 10;
  let y = top;
  const parts: string[] = [];
  for (const group of options.groups) {
    const groupHeight = group.bars.length * (barHeight + barGap);
    parts.push(`<text x="${labelWidth - 10}" y="${y + groupHeight / 2 + 4}" text-anchor="end" font-size="13" font-weight="600">${escapeXml(group.label)}</text>`);
    for (const bar of group.bars) {
      const clamped = Math.max(0, Math.min(bar.value, options.max));
      const barWidth = Number.isFinite(clamped) ? (clamped / options.max) * plotWidth : 0;
      const label = Number.isFinite(bar.value) ? options.format(bar.value) : 'n/a';
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${color(bar.series)}"><title>${escapeXml(`${bar.series}: ${label}${bar.note ? ` (${bar.note})` : ''}`)}</title></rect>`,
        `<text x="${(labelWidth + barWidth + 5).toFixed(1)}" y="${y + barHeight - 3}" font-size="11">${escapeXml(label + (bar.note ? ` ${bar.note}` : ''))}</text>`,
      );
      y += barHeight + barGap;
    }
    y += groupGap;
  }
  const plotBottom = y - groupGap;
  if (options.reference !== undefined) {
    const x = labelWidth + (options.reference.value / options.max) * plotWidth;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 8}" x2="${x.toFixed(1)}" y2="${plotBottom}" stroke="#6b7280" stroke-dasharray="4 3"/>`,
      `<text x="${x.toFixed(1)}" y="${top - 12}" text-anchor="middle" font-size="11" fill="#4b5563">${escapeXml(options.reference.label)}</text>`,
    );
  }
  const legendTop = plotBottom + 16;
  series.forEach((name, index) => {
    const x = labelWidth + (index % 3) * 220;
    const legendY = legendTop + Math.floor(index / 3) * 20;
    parts.push(`<rect x="${x}" y="${legendY}" width="12" height="12" fill="${color(name)}"/>`, `<text x="${x + 18}" y="${legendY + 10}" font-size="12">${escapeXml(name)}</text>`);
  });
  const height = legendTop + legendHeight;
  const header = [
    `<text x="20" y="26" font-size="16" font-weight="700">${escapeXml(options.title)}</text>`,
    ...(options.subtitle === undefined ? [] : [`<text x="20" y="46" font-size="12" fill="#4b5563">${escapeXml(options.subtitle)}</text>`]),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" fill="#111827">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...header,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
