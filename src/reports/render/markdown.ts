import type { Report } from '../types.js';
import { groupsOf, heading } from './figures.js';
import { sparkline } from './format.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** GitHub-flavoured markdown: a table per group, for a PR comment, a wiki page or a chat digest. */
export function renderMarkdown(report: Report): string {
  const lines = [`# ${heading(report)}`, ''];
  for (const group of groupsOf(report)) {
    lines.push(`## ${group.kind === 'overall' ? 'Overall' : `${group.kind === 'service' ? 'Service' : 'Team'} ${cell(group.name)}`}`, '');
    lines.push(`| metric | value | n | tier | vs previous ${report.previous.window.days} days | per ${report.series.granularity} |`);
    lines.push('|---|---|--:|---|---|---|');
    for (const figure of group.figures) {
      lines.push(`| ${figure.label} | ${cell(figure.text)} | ${figure.n} | ${figure.tier} | ${figure.trend} | \`${sparkline(figure.series)}\` |`);
    }
    const details = group.figures.filter((figure) => figure.detail);
    if (details.length > 0) lines.push('', ...details.map((figure) => `- ${figure.label}: ${cell(figure.detail)}`));
    lines.push('');
  }
  lines.push(
    `_n = rows behind each figure; tiers need ${report.settings.minimum_sample}+ rows; quantiles ${report.settings.quantiles}._`,
  );
  return `${lines.join('\n')}\n`;
}
