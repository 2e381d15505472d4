import type { Digest, DigestGroup } from './build.js';
import { changeText, footer, groupTitle, headline } from './text.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function table(group: DigestGroup): string[] {
  const lines = ['| metric | last week | n | tier | vs the week before |', '|---|---|--:|---|---|'];
  for (const figure of group.figures) lines.push(`| ${figure.label} | ${cell(figure.text)} | ${figure.n} | ${figure.tier} | ${figure.trend} |`);
  const details = group.figures.filter((figure) => figure.detail);
  if (details.length > 0) lines.push('', ...details.map((figure) => `- ${figure.label}: ${cell(figure.detail)}`));
  return lines;
}

/** The digest as GitHub-flavoured markdown: a wiki page, a PR comment, a file per week. */
export function digestMarkdown(digest: Digest): string {
  const lines = [`# ${headline(digest)}`, '', `Monday ${digest.week.monday} to Sunday ${digest.week.sunday} (${digest.week.tz}), compared with ${digest.previous.monday} – ${digest.previous.sunday}.`, ''];
  if (digest.tierChanges.length > 0) {
    lines.push('## Tier changes', '', ...digest.tierChanges.map((change) => `- ${changeText(change)}`), '');
  }
  for (const group of [digest.overall, ...digest.teams, ...digest.services]) lines.push(`## ${cell(groupTitle(group))}`, '', ...table(group), '');
  lines.push(`_${footer(digest)}._`);
  return `${lines.join('\n')}\n`;
}
