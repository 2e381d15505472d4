import { leadTimeSpec, recoverySpec, restoreSpec } from '../../reports/queries.js';
import { calendarColumns, nullIfNaN, windowColumns, zoneColumn, type Narrowing } from './common.js';
import { aggregate, selected } from './figures.js';

/**
 * The figures per service, one row each, for the drill-down's table. Columns are named
 * by their path in `dora report --format json` (`lead_time.median_seconds`), the
 * service's figures under `services.<name>`.
 */

const bySpec = (name: string, spec: Parameters<typeof aggregate>[0], narrowing: Narrowing, columns: string[]) =>
  `${name} AS (SELECT service, ${columns.join(', ')} FROM (${aggregate(spec, narrowing, { key: 'service', as: 'service' })}))`;

export function servicesSql(narrowing: Narrowing): string {
  const deployed = `deployed AS (
    SELECT service, count() AS deployment_count, uniqExact(toDate(finished_at, tz)) AS day_count_deployed,
           toUInt64(sum(failed)) AS failed_count, toUInt64(sum(rework)) AS rework_count
    FROM current_deployments WHERE ${selected('current_deployments', 'finished_at', narrowing)}
    GROUP BY service)`;
  const attempts = `attempts AS (
    SELECT service, count() AS failure_count FROM current_deploy_failures
    WHERE ${selected('current_deploy_failures', 'finished_at', narrowing)} GROUP BY service)`;
  const parts = [
    deployed,
    attempts,
    bySpec('lead', leadTimeSpec, narrowing, ['changes', `${nullIfNaN('lead[1]')} AS lead_p50`, `${nullIfNaN('lead[2]')} AS lead_p90`]),
    bySpec('restore', restoreSpec, narrowing, ['incidents', 'resolved', `${nullIfNaN('restore[1]')} AS restore_p50`]),
    bySpec('recovery', recoverySpec, narrowing, ['failed_deployments', 'recovered', `${nullIfNaN('recovery')} AS recovery_p50`]),
    'listed AS (SELECT service FROM deployed UNION DISTINCT SELECT service FROM attempts UNION DISTINCT SELECT service FROM lead UNION DISTINCT SELECT service FROM restore)',
  ];
  return `WITH
  ${[...windowColumns, zoneColumn, ...calendarColumns].join(',\n  ')},
  ${parts.join(',\n  ')}
SELECT
  service,
  ifNull(teams.team, '') AS team,
  coalesce(deployment_count, 0) AS \`deployment_frequency.deployments\`,
  coalesce(deployment_count, 0) / (days / 7) AS \`deployment_frequency.per_week\`,
  coalesce(day_count_deployed, 0) AS \`deployment_frequency.deploy_days\`,
  coalesce(failure_count, 0) AS \`deployment_frequency.deploy_failures\`,
  coalesce(changes, 0) AS \`lead_time.changes\`,
  lead_p50 AS \`lead_time.median_seconds\`,
  lead_p90 AS \`lead_time.p90_seconds\`,
  coalesce(failed_count, 0) AS \`change_failure_rate.failed\`,
  if(coalesce(deployment_count, 0) > 0, failed_count / deployment_count, NULL) AS \`change_failure_rate.rate\`,
  coalesce(incidents, 0) AS \`time_to_restore.incidents\`,
  coalesce(resolved, 0) AS \`time_to_restore.resolved\`,
  restore_p50 AS \`time_to_restore.median_seconds\`,
  coalesce(recovered, 0) AS \`recovery_time.recovered\`,
  recovery_p50 AS \`recovery_time.median_seconds\`,
  if(coalesce(deployment_count, 0) > 0, rework_count / deployment_count, NULL) AS \`rework_rate.rate\`
FROM listed
LEFT JOIN deployed USING service
LEFT JOIN attempts USING service
LEFT JOIN lead USING service
LEFT JOIN restore USING service
LEFT JOIN recovery USING service
LEFT JOIN current_service_teams AS teams USING service
ORDER BY service
SETTINGS join_use_nulls = 1`;
}
