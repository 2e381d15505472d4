import type { Digest } from './build.js';

/** `metrics.snapshot` of the generic webhook contract (apis.md §4): the week's figures in the report's JSON shape. */
export function digestWebhookBody(digest: Digest, occurredAt: number): Record<string, unknown> {
  const { report } = digest;
  return {
    event: 'metrics.snapshot',
    occurred_at: new Date(occurredAt).toISOString(),
    period: { since: report.window.since, until: report.window.until, tz: digest.week.tz, monday: digest.week.monday },
    environment: report.environment,
    benchmark: report.benchmark,
    metrics: { overall: report.overall, services: report.services, teams: report.teams },
    previous: { since: report.previous.window.since, until: report.previous.window.until, overall: report.previous.overall, services: report.previous.services, teams: report.previous.teams },
    tier_changes: digest.tierChanges,
  };
}
