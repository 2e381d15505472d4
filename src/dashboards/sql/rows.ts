import { filters, where, windowColumns, type Narrowing } from './common.js';
import { selected } from './figures.js';

/**
 * Row-level panels: the deployments, changes and incidents behind the figures, each with
 * derive's reason (the dashboard twin of `dora report --explain`), and the deployments per
 * Grafana interval.
 */

const withWindow = `WITH\n  ${windowColumns.join(',\n  ')}`;
const LIMIT = 1000;

export function deploymentRowsSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT finished_at AS time, service, environment, id, version, if(failed = 1, 'failed', 'ok') AS outcome,
       arrayStringConcat(failure_reasons, '; ') AS why_failed,
       multiIf(is_rollback = 1, 'is a rollback', rolled_back_by != '', concat('rolled back by ', rolled_back_by, ' (', rollback_method, ')'), '') AS rollback,
       rework_reason, changes, commits, recovery_seconds, recovered_by, url
FROM current_deployments
WHERE ${selected('current_deployments', 'finished_at', narrowing)}
ORDER BY finished_at DESC
LIMIT ${LIMIT}`;
}

export function changeRowsSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT deployed_at AS time, service, kind, repo, if(kind = 'pr', toString(pr_number), '') AS pr, title, lead_seconds, start_source,
       coding_seconds, pickup_seconds, review_seconds, deploy_seconds, arrayStringConcat(clamped_stages, ', ') AS clamped, deployment_id
FROM current_changes
WHERE ${selected('current_changes', 'deployed_at', narrowing)}
ORDER BY deployed_at DESC
LIMIT ${LIMIT}`;
}

export function incidentRowsSql(narrowing: Narrowing): string {
  return `${withWindow}
SELECT opened_at AS time, service, id, title, severity, status, restore_seconds, deployment_id, link_method, link_reason
FROM current_incidents
WHERE ${selected('current_incidents', 'opened_at', narrowing)}
ORDER BY opened_at DESC
LIMIT ${LIMIT}`;
}

/**
 * Production deployments per Grafana interval (`$__timeInterval`), empty intervals filled
 * from `$__fromTime` to `$__toTime`, and the same as a daily rate (`$__interval_s`). This
 * panel takes the range as Grafana's macros give it, to the second and both ends included
 * (`$__timeFilter`); it must not also use the `_ms` macros: the plugin replaces a macro's
 * text wherever it occurs, so `$__fromTime` would eat the start of `$__fromTime_ms`.
 */
export function deploymentTimelineSql(narrowing: Narrowing): string {
  return `SELECT $__timeInterval(finished_at) AS time, count() AS deployments, count() * 86400 / $__interval_s AS per_day
FROM current_deployments
WHERE ${where([...filters(narrowing, 'column'), '$__timeFilter(finished_at)'])}
GROUP BY time
ORDER BY time WITH FILL FROM toStartOfInterval($__fromTime, INTERVAL $__interval_s second) TO $__toTime STEP $__interval_s`;
}
