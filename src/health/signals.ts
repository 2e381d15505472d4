import type { LinkMethod } from '../derive/types.js';
import { humanDuration } from '../derive/time.js';
import type { Facts, IncidentFact } from './facts.js';
import type { Release, Signal } from './types.js';

/**
 * How sure each kind of evidence makes us that a release should be rolled back (0..1).
 * A fact from the source (an incident naming the release, a platform rollback) weighs
 * most; an inference (time-window attribution, an ancestor redeployed) less.
 */
export const weights = {
  /** An incident derive attributes to the release: × derive's link confidence (1 when it names the release). */
  incident: 0.95,
  /** The same, opened after the observation window (watch): × the link confidence. */
  incidentLater: 0.6,
  rollbackExplicit: 0.99,
  rollbackInferred: 0.85,
  revertWhileLive: 0.7,
  revertLater: 0.4,
  healthCheck: 0.9,
  failedRedeploy: 0.85,
} as const;

/** The span of time a release is judged on: from its finish to the window's end (observation window, next release at most). */
export interface Observation {
  start: number;
  end: number;
  next: Release | undefined;
}

const short = (sha: string) => sha.slice(0, 7);
const after = (from: number, to: number) => (to >= from ? `${humanDuration((to - from) / 1000)} after it` : `${humanDuration((from - to) / 1000)} before it`);

/** Two commit ids name the same commit: equal, or one a 7+ character prefix of the other. */
export function sameCommit(a: string, b: string): boolean {
  if (a.length < 7 || b.length < 7) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.startsWith(y) || y.startsWith(x);
}

/** How derive tied the incident to the release (src/derive/readme.md, incident attribution), in words. */
/** Every link method but time alone: the compiler asks for a reason when derive adds one. */
const linkedBy: Record<Exclude<LinkMethod, 'window' | 'none'>, string> = {
  manual: 'was linked to this release by hand',
  explicit: 'names this release',
  deployment_id: "names this release's deployment id",
  version: "names this release's version",
  sha: 'names a commit this release shipped',
  rollback: 'opened while this release was live, and it was rolled back',
  revert: 'opened while this release was live, and a commit it shipped was reverted',
};

function incidentSignal(release: Release, incident: IncidentFact, observation: Observation, windowText: string): Signal {
  const label = `incident ${incident.id}${incident.title ? ` "${incident.title}"` : ''}${incident.severity ? ` (${incident.severity})` : ''}`;
  const status =
    incident.resolvedAt === null ? 'still open' : incident.status === 'invalid' ? 'resolution time invalid' : `resolved after ${humanDuration((incident.resolvedAt - incident.openedAt) / 1000)}`;
  const when = `opened ${after(release.finishedAt, incident.openedAt)}, ${status}`;
  const confidence = incident.linkConfidence > 0 ? incident.linkConfidence : 1;
  const weight = (base: number) => Math.round(base * confidence * 1000) / 1000;
  const how = (linkedBy as Record<string, string | undefined>)[incident.linkMethod];
  if (how) return { kind: 'incident', severity: 'rollback', weight: weight(weights.incident), reason: `${label} ${how}; ${when}` };
  // Attributed by time alone (the latest release of the service when it opened).
  if (incident.openedAt < observation.end) {
    return { kind: 'incident', severity: 'rollback', weight: weight(weights.incident), reason: `${label} ${when}; this was the latest release of ${release.service}` };
  }
  return {
    kind: 'incident',
    severity: 'watch',
    weight: weight(weights.incidentLater),
    reason: `${label} ${when}, outside the ${windowText} observation window; this was the latest release of ${release.service}`,
  };
}

const FAILED_CHECK = /^(fail|failed|failure|unhealthy|error)$/i;

/** Evidence from the store about one release: incidents, a rollback away from it, reverts, failed health checks. */
export function factSignals(release: Release, observation: Observation, facts: Facts, windowText: string): Signal[] {
  const signals: Signal[] = [];
  for (const incident of facts.incidents.get(release.id) ?? []) signals.push(incidentSignal(release, incident, observation, windowText));

  if (release.rolledBackBy) {
    const explicit = release.rollbackMethod !== 'inferred';
    signals.push({
      kind: 'rollback',
      severity: 'rollback',
      weight: explicit ? weights.rollbackExplicit : weights.rollbackInferred,
      reason: explicit
        ? `rolled back by ${release.rolledBackBy}`
        : `rolled back by ${release.rolledBackBy} (inferred: it deployed an ancestor of this release's commit)`,
    });
  }

  for (const sha of release.revertedBy) {
    const revert = facts.reverts.get(sha);
    // A revert shipped with the release itself undoes nothing that went live.
    if (!revert || revert.at <= release.finishedAt) continue;
    const what = `commit ${short(revert.reverts || '?')} it shipped was reverted by ${short(revert.sha)}${revert.author ? ` (${revert.author})` : ''} ${after(release.finishedAt, revert.at)}`;
    const live = observation.next === undefined || revert.at < observation.next.finishedAt;
    signals.push(
      live
        ? { kind: 'revert', severity: 'rollback', weight: weights.revertWhileLive, reason: `${what}, while it was live` }
        : { kind: 'revert', severity: 'watch', weight: weights.revertLater, reason: `${what}, after ${observation.next?.id} replaced it` },
    );
  }

  const check = facts.healthChecks.get(release.id);
  if (check && FAILED_CHECK.test(check.trim())) {
    signals.push({ kind: 'health_check', severity: 'rollback', weight: weights.healthCheck, reason: `health check failed (health_check = ${check})` });
  }
  const commit = release.commitSha || release.sha;
  for (const attempt of facts.attempts.get(release.service) ?? []) {
    if (attempt.finishedAt <= release.finishedAt || attempt.finishedAt >= observation.end) continue;
    if (!sameCommit(attempt.sha, commit)) continue;
    signals.push({
      kind: 'health_check',
      severity: 'rollback',
      weight: weights.failedRedeploy,
      reason: `a production deployment of the same commit, ${attempt.id}, failed ${after(release.finishedAt, attempt.finishedAt)} (a failed health check or release phase)`,
    });
  }
  return signals;
}
