import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import type { AlertMessage } from '../message.js';

/** Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeMrkdwn = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cut to `max` characters with an ellipsis, so a long reason never makes Slack refuse the whole message. */
export const clip = (value: string, max: number) => (value.length <= max ? value : `${value.slice(0, max - 1)}…`);

const mrkdwn = (text: string, max = 3000): MrkdwnElement => ({ type: 'mrkdwn', text: clip(text, max) });
const time = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
const percent = (value: number) => `${Math.round(value * 100)} %`;

/** The Block Kit message for an alert, typed with @slack/types (and checked against SlackMessage in tests). */
export function slackMessage(alert: AlertMessage): { text: string; blocks: KnownBlock[] } {
  const { release } = alert;
  const name = release.version || release.sha.slice(0, 7) || release.id;
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: clip(alert.headline, 150) } };
  const commitLine = alert.suspect
    ? `\n*Suspect commit* \`${alert.suspect.sha.slice(0, 7)}\`${alert.suspect.author ? ` by ${escapeMrkdwn(alert.suspect.author)}` : ''}${alert.suspect.title ? `: ${escapeMrkdwn(alert.suspect.title)}` : ''}`
    : release.sha
      ? `\n*Commit* \`${release.sha.slice(0, 7)}\``
      : '';
  const intro: SectionBlock = {
    type: 'section',
    text: mrkdwn(`*Release* \`${escapeMrkdwn(name)}\` of *${escapeMrkdwn(alert.service)}* in *${escapeMrkdwn(alert.environment)}*, finished ${time(release.finishedAt)}${commitLine}`),
  };
  const blocks: KnownBlock[] = [header, intro];

  if (alert.kind === 'resolution') {
    blocks.push({ type: 'section', text: mrkdwn(`*Resolution* ${escapeMrkdwn(alert.resolution)}`) });
  }
  const reasons = alert.reasons.slice(0, 8).map((reason) => `• ${escapeMrkdwn(reason)}`);
  if (reasons.length > 0) blocks.push({ type: 'section', text: mrkdwn(`*${alert.kind === 'resolution' ? 'Now' : 'Why'}*\n${reasons.join('\n')}`) });

  const fields: MrkdwnElement[] = [mrkdwn(`*Verdict*\n${alert.verdict} (confidence ${percent(alert.confidence)})`, 2000)];
  if (alert.rollback && alert.kind !== 'resolution' && alert.state === 'live') {
    fields.push(mrkdwn(alert.rollback.command ? `*Roll back with*\n\`${escapeMrkdwn(alert.rollback.command)}\`` : `*Return to*\n${escapeMrkdwn(alert.rollback.instruction)}`, 2000));
  }
  if (alert.rollback) {
    const good = [alert.rollback.version, alert.rollback.sha.slice(0, 7)].filter(Boolean).join(', ');
    fields.push(mrkdwn(`*Last good release*\n${escapeMrkdwn(alert.rollback.id)}${good ? ` (${escapeMrkdwn(good)})` : ''}`, 2000));
  }
  blocks.push({ type: 'section', fields });

  const context: ContextBlock = { type: 'context', elements: [mrkdwn(`dora-agent · ${escapeMrkdwn(release.id)} · ${time(alert.occurredAt)}`)] };
  blocks.push(context);
  const buttons: Button[] = alert.links
    .filter((item) => item.url.length <= 3000)
    .slice(0, 5)
    .map((item, index) => ({ type: 'button', text: { type: 'plain_text', text: clip(item.label, 75) }, url: item.url, action_id: `link-${index}` }));
  if (buttons.length > 0) {
    const actions: ActionsBlock = { type: 'actions', elements: buttons };
    blocks.push(actions);
  }
  // The notification text: what a phone shows, and what clients without blocks show.
  return { text: clip(escapeMrkdwn(alert.summary), 3000), blocks };
}
