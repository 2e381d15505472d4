import { renderCsv } from './render/csv.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/markdown.js';
import { renderTable } from './render/table.js';
import type { Report } from './types.js';

export { buildReport, selectServices, type ReportOptions } from './build.js';
export { explainMetric, explainMetrics, renderExplanation, type Explanation, type ExplainMetric } from './explain.js';
export { resolveWindow, parseTimeArgument, UsageError } from './window.js';
export type * from './types.js';

export type ReportFormat = 'table' | 'json' | 'markdown' | 'csv' | 'html';
export const reportFormats: ReportFormat[] = ['table', 'json', 'markdown', 'csv', 'html'];

/**
 * Render a report: `json` is the stable DESIGN.md §6 shape (plus `previous`, `series`, `settings`),
 * indented for a person (`pretty`, the default) or on one line for a program: at 5,000 services the
 * indented document is 61 MB, most of it one series value per line, the compact one 24 MB.
 */
export function renderReport(report: Report, format: ReportFormat, options: { pretty?: boolean } = {}): string {
  switch (format) {
    case 'json':
      return `${options.pretty === false ? JSON.stringify(report) : JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(report);
    case 'csv':
      return renderCsv(report);
    case 'html':
      return renderHtml(report);
    case 'table':
      return renderTable(report);
  }
}
