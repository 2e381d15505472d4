import type { Report } from '../types.js';
import { groupsOf } from './figures.js';

/** RFC 4180 quoting. */
const field = (value: string | number | null) => {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One row per group and figure, raw numbers (seconds, ratios) for spreadsheets; empty = no data. */
export function renderCsv(report: Report): string {
  const header = ['group_kind', 'group', 'metric', 'value', 'unit', 'n', 'tier', 'trend', 'since', 'until', 'benchmark'];
  const rows = [header.join(',')];
  for (const group of groupsOf(report)) {
    for (const figure of group.figures) {
      rows.push(
        [group.kind, group.name, figure.key, figure.value, figure.unit, figure.n, figure.tier, figure.trend, report.window.since, report.window.until, report.benchmark]
          .map(field)
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
