import type { Figure } from '../reports/render/figures.js';
import type { Digest, DigestGroup, TierChange } from './build.js';

export const periodLabel = (digest: Digest) => `${digest.week.monday} – ${digest.week.sunday}`;

export const headline = (digest: Digest) => `DORA weekly digest: ${periodLabel(digest)}`;

/** The notification line: what a phone shows. */
export function summaryLine(digest: Digest): string {
  const df = digest.report.overall.deployment_frequency;
  const cfr = digest.report.overall.change_failure_rate;
  const parts = [`${df.deployments} production deployment${df.deployments === 1 ? '' : 's'}`];
  if (cfr.rate !== null) parts.push(`${cfr.failed} failed`);
  if (digest.tierChanges.length > 0) parts.push(`${digest.tierChanges.length} tier change${digest.tierChanges.length === 1 ? '' : 's'}`);
  return `${headline(digest)}: ${parts.join(', ')}`;
}

export const groupTitle = (group: DigestGroup) =>
  group.kind === 'overall' ? 'Overall' : group.kind === 'team' ? `Team ${group.name}${group.services.length ? ` (${group.services.join(', ')})` : ''}` : `Service ${group.name}`;

export const changeText = (change: TierChange) =>
  `${change.kind === 'overall' ? 'overall' : `${change.kind} ${change.name}`}: ${change.metric} ${change.from} → ${change.to} (${change.better ? 'better' : 'worse'})`;

/** `3 / week · ▲ +1 (+50 %) · high`: the figure, its change against the week before, its tier. */
export const figureLine = (figure: Figure) => `${figure.text} · ${figure.trend} · ${figure.tier}`;

/** The figures worth a line: those with data this week or the week before. */
export const shownFigures = (group: DigestGroup) => group.figures.filter((figure) => figure.value !== null || (figure.trend !== 'n/a' && figure.trend !== 'new'));

export const footer = (digest: Digest) =>
  `Production: ${digest.environment} · benchmark DORA ${digest.benchmark} · weeks start Monday in ${digest.week.tz} · tiers need ${digest.report.settings.minimum_sample}+ rows`;
