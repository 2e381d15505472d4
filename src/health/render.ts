import type { ReleaseVerdict } from './types.js';

const iso = (millis: number) => new Date(millis).toISOString();
const shortTime = (millis: number) => `${iso(millis).slice(0, 16).replace('T', ' ')} UTC`;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The JSON shape of a verdict (`dora releases --format json`, `dora check --format json`). Times ISO, durations seconds. */
export function verdictJson(item: ReleaseVerdict) {
  const { release } = item;
  return {
    id: release.id,
    service: item.service,
    environment: release.environment,
    version: release.version || null,
    sha: release.commitSha || release.sha || null,
    finished_at: iso(release.finishedAt),
    url: release.url || null,
    verdict: item.verdict,
    confidence: item.confidence,
    reasons: item.reasons,
    signals: item.signals,
    state: item.state,
    replaced_by: item.replacedBy || null,
    rolled_back_by: release.rolledBackBy || null,
    window: { until: iso(item.window.until), complete: item.window.complete, observed_seconds: item.window.observedSeconds, length_seconds: item.window.lengthSeconds },
    rollback_to: item.rollbackTarget
      ? { id: item.rollbackTarget.id, version: item.rollbackTarget.version || null, sha: item.rollbackTarget.sha || null, finished_at: item.rollbackTarget.finishedAt, command: item.rollbackTarget.command || null, instruction: item.rollbackTarget.instruction }
      : null,
    suspect: item.suspect,
    telemetry: item.telemetry,
  };
}

export const releaseName = (item: ReleaseVerdict) => item.release.version || (item.release.commitSha || item.release.sha).slice(0, 7) || item.release.id;

/** Plain-text table rows for `dora releases`: one line each, the first reason clipped. */
export function verdictRows(items: readonly ReleaseVerdict[]): string[][] {
  return items.map((item) => [
    item.service,
    releaseName(item),
    shortTime(item.release.finishedAt),
    item.verdict,
    `${Math.round(item.confidence * 100)} %`,
    item.state === 'replaced' ? `replaced` : item.state === 'rolled_back' ? 'rolled back' : item.window.complete ? 'live' : 'live, watching',
    clip(item.reasons[0] ?? '', 90),
  ]);
}

/** The full story of a flagged release: every reason, and what to do. */
export function verdictDetail(item: ReleaseVerdict): string {
  const lines = [`${item.service} ${releaseName(item)} (${item.release.id}): ${item.verdict}, confidence ${Math.round(item.confidence * 100)} %`];
  for (const reason of item.reasons) lines.push(`  - ${reason}`);
  if (item.rollbackTarget) {
    const target = item.rollbackTarget;
    lines.push(`  last good release: ${target.id}${target.version ? ` (${target.version})` : ''}`);
    if (item.state === 'live') lines.push(`  ${target.command ? `roll back with: ${target.command}` : `return to: ${target.instruction}`}`);
  } else if (item.verdict !== 'healthy') {
    lines.push('  no earlier healthy release of this service to return to');
  }
  return lines.join('\n');
}
