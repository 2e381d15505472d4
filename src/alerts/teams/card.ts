import type { AlertMessage } from '../message.js';

/** An Adaptive Card 1.4 element, as much as we use of it. */
type Element = Record<string, unknown>;

const time = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The Teams message: one Adaptive Card in a `message` envelope, the form both the
 * retiring Office 365 connectors and Workflows ("When a Teams webhook request is
 * received") accept (apis.md §4). Only Action.OpenUrl: Teams webhooks take no Submit.
 */
export function teamsMessage(alert: AlertMessage): Record<string, unknown> {
  const { release } = alert;
  const facts = [
    { title: 'Service', value: alert.service },
    { title: 'Release', value: [release.version, release.sha.slice(0, 7)].filter(Boolean).join(' · ') || release.id },
    { title: 'Environment', value: alert.environment },
    { title: 'Finished', value: time(release.finishedAt) },
    { title: 'Verdict', value: `${alert.verdict} (confidence ${Math.round(alert.confidence * 100)} %)` },
  ];
  if (alert.kind === 'resolution') facts.push({ title: 'Resolution', value: alert.resolution });
  if (alert.suspect) facts.push({ title: 'Suspect commit', value: `${alert.suspect.sha.slice(0, 7)}${alert.suspect.author ? ` by ${alert.suspect.author}` : ''}` });
  if (alert.rollback && alert.kind !== 'resolution' && alert.state === 'live') facts.push({ title: alert.rollback.command ? 'Roll back with' : 'Return to', value: alert.rollback.instruction });
  if (alert.rollback) facts.push({ title: 'Last good release', value: alert.rollback.id });
  const body: Element[] = [
    { type: 'TextBlock', size: 'Large', weight: 'Bolder', text: alert.headline, wrap: true },
    { type: 'FactSet', facts },
  ];
  if (alert.reasons.length > 0) {
    body.push({ type: 'TextBlock', weight: 'Bolder', text: alert.kind === 'resolution' ? 'Now' : 'Why', wrap: true });
    body.push({ type: 'TextBlock', text: alert.reasons.slice(0, 8).map((reason) => `- ${reason}`).join('\r'), wrap: true });
  }
  body.push({ type: 'TextBlock', text: `dora-agent · ${release.id} · ${time(alert.occurredAt)}`, isSubtle: true, size: 'Small', wrap: true });
  const card: Element = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
  };
  if (alert.links.length > 0) card.actions = alert.links.slice(0, 5).map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.url }));
  return {
    type: 'message',
    summary: alert.summary,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}
