import type { Explanation } from './explain.js';

/** `--explain` output: a table for people, json, csv or markdown. */
export function renderExplanation(explanation: Explanation, format: 'table' | 'json' | 'csv' | 'markdown'): string {
  if (format === 'json') return `${JSON.stringify(explanation, null, 2)}\n`;
  const header = ['time', 'service', 'item', 'counted', 'value', 'reason'] as const;
  if (format === 'csv') {
    const field = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return `${[header.join(','), ...explanation.rows.map((row) => header.map((key) => field(row[key])).join(','))].join('\r\n')}\r\n`;
  }
  if (format === 'markdown') {
    const cell = (value: string) => value.replace(/\|/g, '\\|');
    return `${[`**${explanation.metric}**: ${explanation.summary}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...explanation.rows.map((row) => `| ${header.map((key) => cell(row[key])).join(' | ')} |`)].join('\n')}\n`;
  }
  const cells = [[...header], ...explanation.rows.map((row) => [row.time.slice(0, 16).replace('T', ' '), row.service, row.item, row.counted, row.value, row.reason])];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const body = cells.map((row) => row.map((cell, column) => (column === header.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n');
  return `${explanation.metric}: ${explanation.summary} (${explanation.window.since} → ${explanation.window.until})\n\n${body}\n`;
}
