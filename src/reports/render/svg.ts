/**
 * Hand-made inline SVG charts: no script, no network, nothing to load. Every label is
 * escaped (service names are user data).
 */

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export interface ChartSeries {
  name: string;
  values: (number | null)[];
  color: string;
}

export interface ChartOptions {
  title: string;
  labels: string[];
  series: ChartSeries[];
  /** Formats an axis value. */
  format: (value: number) => string;
  kind: 'bar' | 'line';
  /** Bars of several series on top of each other instead of side by side. */
  stacked?: boolean;
  /** Shortens a bucket label for the x axis. Default: the label as it is. */
  tick?: (label: string) => string;
}

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 28, right: 16, bottom: 42, left: 64 };
const round = (value: number) => Math.round(value * 10) / 10;

/** A round axis maximum: 1, 2 or 5 times a power of ten, at least the data's maximum. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

export function chart(options: ChartOptions): string {
  const { labels, series } = options;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const totals = labels.map((_, index) =>
    options.stacked
      ? series.reduce((sum, line) => sum + (line.values[index] ?? 0), 0)
      : Math.max(0, ...series.map((line) => line.values[index] ?? 0)),
  );
  const top = niceMax(Math.max(0, ...totals));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(1, labels.length);
  const x = (index: number) => MARGIN.left + slot * index + slot / 2;
  const parts: string[] = [];
  for (let tick = 0; tick <= 4; tick++) {
    const value = (top / 4) * tick;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(value))}" y2="${round(y(value))}" class="grid"/>`,
      `<text x="${MARGIN.left - 6}" y="${round(y(value) + 4)}" class="axis" text-anchor="end">${escapeXml(options.format(value))}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, index) => {
    if (index % every !== 0) return;
    parts.push(`<text x="${round(x(index))}" y="${HEIGHT - MARGIN.bottom + 16}" class="axis" text-anchor="middle">${escapeXml(options.tick ? options.tick(label) : label)}</text>`);
  });
  if (options.kind === 'bar') parts.push(bars(options, slot, x, y));
  else parts.push(lines(options, x, y));
  const legend = series
    .map((line, index) => {
      const left = MARGIN.left + index * 150;
      return `<rect x="${left}" y="${HEIGHT - 14}" width="10" height="10" fill="${line.color}"/><text x="${left + 14}" y="${HEIGHT - 5}" class="legend">${escapeXml(line.name)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(options.title)}"><title>${escapeXml(options.title)}</title><text x="${MARGIN.left}" y="16" class="title">${escapeXml(options.title)}</text>${parts.join('')}${legend}</svg>`;
}

function bars(options: ChartOptions, slot: number, x: (index: number) => number, y: (value: number) => number): string {
  const { series, labels } = options;
  const width = Math.max(2, (slot * 0.7) / (options.stacked ? 1 : series.length));
  const parts: string[] = [];
  labels.forEach((label, index) => {
    let base = 0;
    series.forEach((line, position) => {
      const value = line.values[index];
      if (value === null || value === undefined || value <= 0) return;
      const left = options.stacked ? x(index) - width / 2 : x(index) - (width * series.length) / 2 + width * position;
      const from = options.stacked ? base : 0;
      const height = y(from) - y(from + value);
      parts.push(
        `<rect x="${round(left)}" y="${round(y(from + value))}" width="${round(width)}" height="${round(Math.max(0.5, height))}" fill="${line.color}"><title>${escapeXml(`${label} ${line.name}: ${options.format(value)}`)}</title></rect>`,
      );
      if (options.stacked) base += value;
    });
  });
  return parts.join('');
}

function lines(options: ChartOptions, x: (index: number) => number, y: (value: number) => number): string {
  return options.series
    .map((line) => {
      const segments: string[] = [];
      let path = '';
      const dots: string[] = [];
      line.values.forEach((value, index) => {
        if (value === null || value === undefined) {
          if (path) segments.push(path);
          path = '';
          return;
        }
        path += `${path ? 'L' : 'M'}${round(x(index))},${round(y(value))}`;
        dots.push(
          `<circle cx="${round(x(index))}" cy="${round(y(value))}" r="3" fill="${line.color}"><title>${escapeXml(`${options.labels[index]} ${line.name}: ${options.format(value)}`)}</title></circle>`,
        );
      });
      if (path) segments.push(path);
      return `${segments.map((d) => `<path d="${d}" fill="none" stroke="${line.color}" stroke-width="2"/>`).join('')}${dots.join('')}`;
    })
    .join('');
}

export interface StackRow {
  label: string;
  /** Stage values in seconds (null: unknown). */
  values: (number | null)[];
}

/** Horizontal stacked bars, one per row (the lead-time breakdown per group). */
export function stackedRows(title: string, stages: { name: string; color: string }[], rows: StackRow[], format: (value: number) => string): string {
  const rowHeight = 26;
  const height = 44 + rows.length * rowHeight + 24;
  const left = 150;
  // Room on the right for the total printed after each bar.
  const width = WIDTH - left - MARGIN.right - 70;
  const top = Math.max(1, ...rows.map((row) => row.values.reduce<number>((sum, value) => sum + (value ?? 0), 0)));
  const parts = rows.map((row, index) => {
    const yTop = 34 + index * rowHeight;
    let offset = 0;
    const segments = row.values.map((value, stage) => {
      if (!value || value <= 0) return '';
      const segment = (value / top) * width;
      const rect = `<rect x="${round(left + offset)}" y="${yTop}" width="${round(segment)}" height="${rowHeight - 8}" fill="${stages[stage]!.color}"><title>${escapeXml(`${row.label} ${stages[stage]!.name}: ${format(value)}`)}</title></rect>`;
      offset += segment;
      return rect;
    });
    const total = row.values.every((value) => value === null) ? 'n/a' : format(row.values.reduce<number>((sum, value) => sum + (value ?? 0), 0));
    return `<text x="${left - 8}" y="${yTop + 13}" class="axis" text-anchor="end">${escapeXml(row.label)}</text>${segments.join('')}<text x="${round(left + offset + 6)}" y="${yTop + 13}" class="axis">${escapeXml(total)}</text>`;
  });
  const legend = stages
    .map((stage, index) => `<rect x="${left + index * 110}" y="${height - 16}" width="10" height="10" fill="${stage.color}"/><text x="${left + index * 110 + 14}" y="${height - 7}" class="legend">${escapeXml(stage.name)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title><text x="${MARGIN.left}" y="16" class="title">${escapeXml(title)}</text>${parts.join('')}${legend}</svg>`;
}
