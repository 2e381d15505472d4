import type { ReleaseState, ReleaseVerdict, RollbackTarget } from '../health/types.js';
import type { AlertsSection } from './config.js';

export type AlertKind = 'flag' | 'resolution' | 'test';
export type FlagVerdict = 'watch' | 'rollback';

/** One alert, independent of the channel it goes to; each notifier renders it its own way. */
export interface AlertMessage {
  kind: AlertKind;
  /** The verdict flagged (for a resolution: the one that was alerted). */
  verdict: FlagVerdict;
  headline: string;
  /** One line: the notification text and the fallback where blocks or cards are not shown. */
  summary: string;
  service: string;
  environment: string;
  release: { id: string; version: string; sha: string; url: string; finishedAt: string };
  confidence: number;
  reasons: string[];
  rollback: RollbackTarget | null;
  suspect: { sha: string; author: string; title: string } | null;
  state: ReleaseState;
  /** Why the alert is over (resolutions only). */
  resolution: string;
  links: { label: string; url: string }[];
  occurredAt: string;
}

const REPO = /^[\w.-]+\/[\w.-]+$/;

/** How a release is named in a headline: its version, else its short commit, else its id. */
export const releaseLabel = (verdict: ReleaseVerdict) => verdict.release.version || (verdict.release.commitSha || verdict.release.sha).slice(0, 7) || verdict.release.id;

function links(verdict: ReleaseVerdict, alerts: AlertsSection): { label: string; url: string }[] {
  const found: { label: string; url: string }[] = [];
  const { release } = verdict;
  const sha = release.commitSha || release.sha;
  if (release.url) found.push({ label: 'Release', url: release.url });
  if (REPO.test(release.repo) && sha) {
    const base = alerts.githubUrl.replace(/\/+$/, '');
    const previous = verdict.previousSha;
    if (previous && previous !== sha) found.push({ label: 'Diff', url: `${base}/${release.repo}/compare/${previous}...${sha}` });
    else found.push({ label: 'Commit', url: `${base}/${release.repo}/commit/${sha}` });
  }
  for (const incident of verdict.incidentLinks.filter((link) => link.url).slice(0, 2)) found.push({ label: `Incident ${incident.id}`, url: incident.url });
  if (alerts.dashboardUrl) found.push({ label: 'Dashboard', url: alerts.dashboardUrl });
  return found.filter((link) => /^https?:\/\//i.test(link.url));
}

function resolutionOf(verdict: ReleaseVerdict, minimum: FlagVerdict): string {
  if (verdict.state === 'rolled_back') return `rolled back by ${verdict.release.rolledBackBy}`;
  if (verdict.state === 'replaced') return `replaced by ${verdict.replacedBy}`;
  return verdict.verdict === 'healthy' || (minimum === 'rollback' && verdict.verdict === 'watch')
    ? `no longer flagged: now ${verdict.verdict}`
    : 'no longer flagged';
}

/** The alert for a release: a flag (`Rollback recommended`, `Watch`, or `Rolled back` when it already was), or a resolution. */
export function buildAlert(verdict: ReleaseVerdict, kind: 'flag' | 'resolution', flagged: FlagVerdict, alerts: AlertsSection): AlertMessage {
  const label = `${verdict.service} ${releaseLabel(verdict)}`;
  const resolution = kind === 'resolution' ? resolutionOf(verdict, alerts.minVerdict) : '';
  let headline: string;
  if (kind === 'resolution') headline = `Resolved: ${label} ${verdict.state === 'rolled_back' ? 'was rolled back' : verdict.state === 'replaced' ? 'was replaced' : 'is no longer flagged'}`;
  else if (verdict.state === 'rolled_back') headline = `Rolled back: ${label}`;
  else headline = flagged === 'rollback' ? `Rollback recommended: ${label}` : `Watch: ${label}`;
  const first = verdict.reasons[0] ?? '';
  const summary = kind === 'resolution' ? `${headline} (${resolution})` : `${headline} in ${verdict.release.environment}: ${first}`;
  return {
    kind,
    verdict: flagged,
    headline,
    summary,
    service: verdict.service,
    environment: verdict.release.environment,
    release: {
      id: verdict.release.id,
      version: verdict.release.version,
      sha: verdict.release.commitSha || verdict.release.sha,
      url: verdict.release.url,
      finishedAt: new Date(verdict.release.finishedAt).toISOString(),
    },
    confidence: verdict.confidence,
    reasons: verdict.reasons,
    rollback: verdict.rollbackTarget,
    suspect: verdict.suspect,
    state: verdict.state,
    resolution,
    links: links(verdict, alerts),
    occurredAt: new Date(verdict.evaluatedAt).toISOString(),
  };
}

/** What `dora alert test` sends: clearly a test, shaped like a real alert. */
export function sampleAlert(now: number): AlertMessage {
  return {
    kind: 'test',
    verdict: 'rollback',
    headline: 'dora-agent test message',
    summary: 'dora-agent test message: alerts reach this channel',
    service: 'example',
    environment: 'production',
    release: { id: 'example:v42', version: 'v42', sha: '0123456789abcdef0123456789abcdef01234567', url: '', finishedAt: new Date(now).toISOString() },
    confidence: 0.95,
    reasons: ['This is a test sent by `dora alert test`: rollback alerts for your releases will look like this.'],
    rollback: { id: 'example:v41', version: 'v41', sha: '', finishedAt: new Date(now - 86_400_000).toISOString(), command: 'heroku releases:rollback v41 -a example', instruction: 'heroku releases:rollback v41 -a example' },
    suspect: null,
    state: 'live',
    resolution: '',
    links: [],
    occurredAt: new Date(now).toISOString(),
  };
}
