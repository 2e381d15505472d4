import { breakdownSpec, leadTimeSpec, recoverySpec, restoreSpec } from '../../reports/queries.js';
import {
  calendarColumns,
  failureRateTier,
  filters,
  frequencyTier,
  inWindow,
  leadTimeTier,
  nullIfNaN,
  restoreTier,
  where,
  windowColumns,
  zoneColumn,
  type Narrowing,
} from './common.js';

/**
 * The figures of the stat panels, one row each, named like the fields of `dora report
 * --format json` (DESIGN.md §6) so a test can hold them side by side. The aggregates are
 * the report's own specs (src/reports/queries.ts) over derive's current_* views; what
 * the report works out in code (deployment days, medians of them, tiers) is SQL here,
 * from the same constants.
 */

interface Spec {
  from: string;
  time: string;
  where?: string;
  select: string[];
}

/** How each view knows its environment (incidents have none). */
const environmentOf: Record<string, 'column' | 'deployment' | 'none'> = {
  current_deployments: 'column',
  current_deploy_failures: 'column',
  current_changes: 'deployment',
  current_incidents: 'none',
  release_verdicts: 'column',
};

/** Rows of `view` in the window that the dashboard's variables select. */
export function selected(view: string, time: string, narrowing: Narrowing, extra: string[] = []): string {
  return where([...filters(narrowing, environmentOf[view] ?? 'none'), inWindow(time), ...extra]);
}

/** One of the report's aggregate specs over the selected rows, optionally grouped by `group.key` (named `group.as`). */
export function aggregate(spec: Spec, narrowing: Narrowing, group?: { key: string; as: string }): string {
  const key = group ? `${group.key === group.as ? group.key : `${group.key} AS ${group.as}`}, ` : '';
  return `SELECT ${key}${spec.select.join(', ')}
  FROM ${spec.from}
  WHERE ${selected(spec.from, spec.time, narrowing, spec.where ? [spec.where] : [])}${group ? `\n  GROUP BY ${group.as}` : ''}`;
}

const withClause = (...columns: string[]) => `WITH\n  ${[...windowColumns, zoneColumn, '${benchmark:singlequote} AS benchmark', ...columns].join(',\n  ')}`;

/** Deployment frequency: counts, deployment days and their medians per Monday week and month (empty ones included). */
export function deploymentFrequencySql(narrowing: Narrowing): string {
  return `${withClause(
    ...calendarColumns,
    `deploy_dates AS (SELECT DISTINCT toDate(finished_at, tz) AS day FROM current_deployments WHERE ${selected('current_deployments', 'finished_at', narrowing)})`,
    'dates AS (SELECT first_day + number AS day, day IN (SELECT day FROM deploy_dates) AS deployed FROM numbers(day_count))',
  )}
SELECT
  deployments / (days / 7) AS per_week,
  week_median AS deploy_days_per_week_median,
  deployments,
  deployments / days AS per_day,
  deploy_days,
  month_median AS deploy_days_per_month_median,
  deploy_failures,
  ${frequencyTier({ deployments: 'deployments', weekMedian: 'week_median', monthMedian: 'month_median', deployDays: 'deploy_days', days: 'days' })} AS tier
FROM (
  SELECT
    (SELECT count() FROM current_deployments WHERE ${selected('current_deployments', 'finished_at', narrowing)}) AS deployments,
    (SELECT count() FROM current_deploy_failures WHERE ${selected('current_deploy_failures', 'finished_at', narrowing)}) AS deploy_failures,
    (SELECT toUInt64(sum(deployed)) FROM dates) AS deploy_days,
    (SELECT ifNotFinite(quantileExactInclusive(0.5)(n), 0) FROM (SELECT toMonday(day) AS week, sum(deployed) AS n FROM dates GROUP BY week)) AS week_median,
    (SELECT ifNotFinite(quantileExactInclusive(0.5)(n), 0) FROM (SELECT toStartOfMonth(day) AS month, sum(deployed) AS n FROM dates GROUP BY month)) AS month_median
)`;
}

/** Lead time for changes: n, exact p50 and p90 over the changes shipped in the window. */
export function leadTimeSql(narrowing: Narrowing): string {
  return `${withClause()}
SELECT median_seconds, p90_seconds, changes, ${leadTimeTier('median_seconds', 'changes')} AS tier
FROM (
  SELECT changes, ${nullIfNaN('lead[1]')} AS median_seconds, ${nullIfNaN('lead[2]')} AS p90_seconds
  FROM (${aggregate(leadTimeSpec, narrowing)})
)`;
}

const stages = ['coding', 'pickup', 'review', 'deploy'];

/** The pull requests' stage medians over the window (the report's breakdown). */
export function breakdownSql(narrowing: Narrowing): string {
  return `${withClause()}
SELECT
  ${stages.map((stage) => `${nullIfNaN(`${stage}_median`)} AS ${stage}_median_seconds`).join(',\n  ')},
  lead.pull_requests AS pull_requests,
  clamped AS clamped_stages,
  ${stages.map((stage) => `${stage}_n`).join(', ')}
FROM (${aggregate(leadTimeSpec, narrowing)}) AS lead
CROSS JOIN (${aggregate(breakdownSpec, narrowing)}) AS stages`;
}

/** Change failure rate: failed ÷ production deployments, both counts beside the rate. */
export function changeFailureRateSql(narrowing: Narrowing): string {
  return `${withClause()}
SELECT rate, failed, deployments, ${failureRateTier('rate', 'deployments')} AS tier
FROM (
  SELECT failed_deployments AS failed, deployments, if(deployments > 0, failed_deployments / deployments, NULL) AS rate
  FROM (
    SELECT toUInt64(sum(failed)) AS failed_deployments, count() AS deployments
    FROM current_deployments
    WHERE ${selected('current_deployments', 'finished_at', narrowing)}
  )
)`;
}

/** Time to restore: incidents opened in the window; median and p90 over the resolved ones. */
export function timeToRestoreSql(narrowing: Narrowing): string {
  return `${withClause()}
SELECT median_seconds, resolved, open, p90_seconds, incidents, invalid, ${restoreTier('median_seconds', 'resolved')} AS tier
FROM (
  SELECT incidents, resolved, open, invalid, ${nullIfNaN('restore[1]')} AS median_seconds, ${nullIfNaN('restore[2]')} AS p90_seconds
  FROM (${aggregate(restoreSpec, narrowing)})
)`;
}

/** Failed deployment recovery time: per failed deployment, the time to the next one that did not fail. */
export function recoveryTimeSql(narrowing: Narrowing): string {
  return `${withClause()}
SELECT median_seconds, recovered, failed, ${restoreTier('median_seconds', 'recovered')} AS tier
FROM (
  SELECT failed_deployments AS failed, recovered, ${nullIfNaN('recovery')} AS median_seconds
  FROM (${aggregate(recoverySpec, narrowing)})
)`;
}

/** Rework rate: rollbacks and deployments made while an incident of the service was open, ÷ production deployments. */
export function reworkRateSql(narrowing: Narrowing): string {
  return `${withClause()}
SELECT if(deployments > 0, rework_deployments / deployments, NULL) AS rate, rework_deployments AS rework, deployments
FROM (
  SELECT count() AS deployments, toUInt64(sum(rework)) AS rework_deployments
  FROM current_deployments
  WHERE ${selected('current_deployments', 'finished_at', narrowing)}
)`;
}
