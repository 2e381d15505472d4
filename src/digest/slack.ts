import type { KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { clip, escapeMrkdwn } from '../alerts/slack/build.js';
import type { Figure } from '../reports/render/figures.js';
import type { Digest, DigestGroup } from './build.js';
import { changeText, footer, groupTitle, headline, shownFigures, summaryLine } from './text.js';

const mrkdwn = (text: string, max = 3000): MrkdwnElement => ({ type: 'mrkdwn', text: clip(text, max) });
/** Slack shows at most 50 blocks; the services' lines and the footer must fit after the teams. */
const MAX_TEAM_SECTIONS = 20;

const field = (figure: Figure) => mrkdwn(`*${figure.label}*\n${escapeMrkdwn(figure.text)}\n${figure.trend} · ${figure.tier}`, 2000);

function groupSection(group: DigestGroup): SectionBlock {
  const figures = shownFigures(group);
  const title = `*${escapeMrkdwn(groupTitle(group))}*`;
  if (figures.length === 0) return { type: 'section', text: mrkdwn(`${title}\nno deployments, changes or incidents in either week`) };
  return { type: 'section', text: mrkdwn(title), fields: figures.slice(0, 10).map(field) };
}

/** One line per service: its headline figures and their change. */
function serviceLine(group: DigestGroup): string {
  const parts = shownFigures(group).map((figure) => `${figure.label} ${escapeMrkdwn(figure.text)} (${figure.trend})`);
  return `• *${escapeMrkdwn(group.name)}*: ${parts.join(' · ') || 'nothing this week'}`;
}

/** Pack lines into sections of at most 3,000 characters each. */
function packed(title: string, lines: string[], maxBlocks: number): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let text = title;
  for (const [index, line] of lines.entries()) {
    if (text.length + line.length + 1 > 3000) {
      if (blocks.length + 1 >= maxBlocks) {
        blocks.push({ type: 'section', text: mrkdwn(`${text}\n…and ${lines.length - index} more`) });
        return blocks;
      }
      blocks.push({ type: 'section', text: mrkdwn(text) });
      text = '';
    }
    text = text ? `${text}\n${line}` : clip(line, 3000);
  }
  if (text) blocks.push({ type: 'section', text: mrkdwn(text) });
  return blocks;
}

/** The digest as a Slack Block Kit message (checked against SlackMessage before it is sent). */
export function digestSlack(digest: Digest): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline(digest), 150) } },
    { type: 'context', elements: [mrkdwn(`Monday ${digest.week.monday} to Sunday ${digest.week.sunday} (${escapeMrkdwn(digest.week.tz)}), compared with the week before`)] },
  ];
  if (digest.tierChanges.length > 0) blocks.push({ type: 'section', text: mrkdwn(`*Tier changes*\n${digest.tierChanges.map((change) => `• ${escapeMrkdwn(changeText(change))}`).join('\n')}`) });
  blocks.push(groupSection(digest.overall));
  const teams = digest.teams.slice(0, MAX_TEAM_SECTIONS);
  if (teams.length > 0) blocks.push({ type: 'divider' }, ...teams.map(groupSection));
  if (digest.teams.length > teams.length) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${digest.teams.length - teams.length} more teams in the markdown digest`)] });
  if (digest.services.length > 0) {
    blocks.push({ type: 'divider' });
    blocks.push(...packed('*Services*', digest.services.map(serviceLine), 49 - blocks.length - 1));
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`dora-agent · ${escapeMrkdwn(footer(digest))}`)] });
  return { text: clip(escapeMrkdwn(summaryLine(digest)), 3000), blocks };
}
