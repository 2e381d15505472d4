import type { Report } from '../types.js';
import { groupsOf, heading } from './figures.js';
import { sparkline } from './format.js';

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd())
    .join('\n');
}

/** Terminal output: a block per group (overall, services, teams) with the figures, tier, n, trend and a sparkline. */
export function renderTable(report: Report): string {
  const per = `per ${report.series.granularity}`;
  const previousDays = report.previous.window.days;
  const lines = [heading(report), ''];
  for (const group of groupsOf(report)) {
    lines.push(group.kind === 'overall' ? 'overall' : `${group.kind} ${group.name}`);
    const rows = [['  metric', 'value', 'n', 'tier', `vs previous ${previousDays} days`, per]];
    for (const figure of group.figures) {
      rows.push([`  ${figure.label}`, figure.text, String(figure.n), figure.tier, figure.trend, sparkline(figure.series)]);
    }
    lines.push(columns(rows));
    for (const figure of group.figures.filter((candidate) => candidate.detail)) lines.push(`    ${figure.label}: ${figure.detail}`);
    lines.push('');
  }
  lines.push(
    `n = rows behind each figure; tiers need ${report.settings.minimum_sample}+ rows. Quantiles are ${report.settings.quantiles}.`,
    `Incidents are linked to a deployment by a person (dora link), by the deployment, release or commit they name, by a rollback or revert around them, else to the latest production deployment of their service up to ${report.settings.attribution_window_hours} h before.`,
    'Why a figure is what it is: dora report --explain METRIC [--service NAME]',
  );
  return `${lines.join('\n')}\n`;
}
