import type { Digest, DigestGroup } from './build.js';
import { changeText, footer, groupTitle, headline, shownFigures, summaryLine } from './text.js';

type Element = Record<string, unknown>;

function groupElements(group: DigestGroup): Element[] {
  const figures = shownFigures(group);
  return [
    { type: 'TextBlock', weight: 'Bolder', text: groupTitle(group), wrap: true, spacing: 'Medium' },
    figures.length > 0
      ? { type: 'FactSet', facts: figures.map((figure) => ({ title: figure.label, value: `${figure.text} · ${figure.trend} · ${figure.tier}` })) }
      : { type: 'TextBlock', text: 'no deployments, changes or incidents in either week', wrap: true, isSubtle: true },
  ];
}

/** The digest as one Adaptive Card 1.4 in a `message` envelope, as Teams webhooks and Workflows take it (apis.md §4). */
export function digestTeams(digest: Digest): Record<string, unknown> {
  const body: Element[] = [
    { type: 'TextBlock', size: 'Large', weight: 'Bolder', text: headline(digest), wrap: true },
    { type: 'TextBlock', text: `Monday ${digest.week.monday} to Sunday ${digest.week.sunday} (${digest.week.tz}), compared with the week before`, wrap: true, isSubtle: true },
  ];
  if (digest.tierChanges.length > 0) {
    body.push({ type: 'TextBlock', weight: 'Bolder', text: 'Tier changes', wrap: true });
    body.push({ type: 'TextBlock', text: digest.tierChanges.map((change) => `- ${changeText(change)}`).join('\r'), wrap: true });
  }
  for (const group of [digest.overall, ...digest.teams, ...digest.services]) body.push(...groupElements(group));
  body.push({ type: 'TextBlock', text: `dora-agent · ${footer(digest)}`, isSubtle: true, size: 'Small', wrap: true });
  return {
    type: 'message',
    summary: summaryLine(digest),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}
