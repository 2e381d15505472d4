import { scopeFilter, windowColumns, type Narrowing } from './common.js';
import { selected } from './figures.js';

/**
 * What was left out of the figures and why, the dashboard twin of `dora doctor` and
 * `dora report --explain`: events that are not production deployments, baselines and
 * commits derive could not place, incidents not used or not linked, clamped stages,
 * rejected input, and how fresh the derivation is.
 */

const withWindow = `WITH\n  ${windowColumns.join(',\n  ')}`;

export function storeCountsSql(): string {
  return `SELECT
  (SELECT count() FROM commits FINAL) AS commits,
  (SELECT count() FROM pull_requests FINAL) AS pull_requests,
  (SELECT count() FROM deployments FINAL) AS deployments,
  (SELECT count() FROM incidents FINAL) AS incidents`;
}

/** Every deployment event in the window by environment and status, and what the figures make of it. */
export function deploymentTreatmentSql(narrowing: Narrowing): string {
  const service = narrowing.service ? '\n  AND $__conditionalAll(service IN (${service:singlequote}), $service)' : '';
  return `${withWindow},
  splitByChar(',', \${scope:singlequote}) AS production
SELECT environment, status, count() AS deployments,
  multiIf(NOT has(production, lower(environment)), concat('ignored: not a production environment (production set: ', arrayStringConcat(production, ', '), ')'),
          status = 'success', 'counted: production deployment',
          status = 'failure', 'deploy failure: never went live, counted apart',
          concat('ignored: status ', status, ', never finished successfully')) AS treatment
FROM deployments FINAL
WHERE finished_at >= window_start AND finished_at < window_end${service}
GROUP BY environment, status
ORDER BY deployments DESC`;
}

/** Production deployments whose history is not lead time: baselines, and commits derive could not place. */
export function unplacedDeploymentsSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT finished_at AS time, service, id, sha, repo,
  multiIf(baseline = 1, 'baseline: the first deployment with a known commit; the history it ships has no known start and is not lead time',
          concat('commit ', commit_status, ': ', commit_note)) AS why
FROM current_deployments
WHERE ${selected('current_deployments', 'finished_at', narrowing, ["(baseline = 1 OR commit_status != 'resolved')"])}
ORDER BY finished_at DESC
LIMIT 500`;
}

/** Incidents left out of time to restore (open, invalid) or tied to no deployment. */
export function incidentsLeftOutSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT opened_at AS time, service, id, title, status,
  multiIf(status = 'invalid', 'invalid: resolved at or before it opened; never used', status = 'open', 'open: counted apart, not in the median', 'resolved: used') AS time_to_restore,
  link_method, link_reason
FROM current_incidents
WHERE ${selected('current_incidents', 'opened_at', narrowing, ["(status != 'resolved' OR link_method = 'none')"])}
ORDER BY opened_at DESC
LIMIT 500`;
}

/** Pull requests with a stage held at zero (rebased or amended commits, clock skew). */
export function clampedStagesSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT deployed_at AS time, service, repo, pr_number, title, arrayStringConcat(clamped_stages, ', ') AS clamped, start_source
FROM current_changes
WHERE ${selected('current_changes', 'deployed_at', narrowing, ['length(clamped_stages) > 0'])}
ORDER BY deployed_at DESC
LIMIT 500`;
}

/** Imports and collections finished in the range, with what they rejected. */
export function ingestRunsSql(): string {
  return `SELECT finished_at AS time, source, scope, status, accepted, rejected, message
FROM ingest_runs FINAL
WHERE $__timeFilter(finished_at)
ORDER BY finished_at DESC
LIMIT 500`;
}

/** When each service was last derived, and whether deployments or incidents arrived since. */
export function derivationStateSql(): string {
  return `SELECT state.service AS service, state.derived_at AS derived_at, state.deployments AS deployments, state.changes AS changes,
  state.incidents AS incidents, events.last_event AS last_event,
  if(events.last_event > state.derived_at, 'stale: events arrived after the last derivation (run dora dashboards refresh)', 'up to date') AS freshness
FROM (SELECT service, derived_at, deployments, changes, incidents FROM derived_state FINAL WHERE ${scopeFilter}) AS state
LEFT JOIN (
  SELECT service, max(ingested_at) AS last_event
  FROM (SELECT service, ingested_at FROM deployments UNION ALL SELECT service, ingested_at FROM incidents)
  GROUP BY service
) AS events ON events.service = state.service
ORDER BY service`;
}
