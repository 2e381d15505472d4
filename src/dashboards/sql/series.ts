import { breakdownSpec, leadTimeSpec, recoverySpec, restoreSpec } from '../../reports/queries.js';
import { calendarColumns, nullIfNaN, windowColumns, zoneColumn, type Narrowing } from './common.js';
import { aggregate, selected } from './figures.js';

/**
 * Figures per calendar bucket, like the report's `series`: the buckets are the local days,
 * Monday weeks or months of the window in the dashboard's time zone (every one of them,
 * empty ones included), a day up to 14 days, a week up to 732, else a month — the
 * report's own rule. Columns carry the names of the report's series.
 */

export type Granularity = 'auto' | 'week';

const granularityColumn = (granularity: Granularity) =>
  granularity === 'auto' ? "multiIf(days <= 14, 'day', days <= 732, 'week', 'month') AS granularity" : `'${granularity}' AS granularity`;

/** The bucket of a local date. */
const bucketOf = (date: string) => `multiIf(granularity = 'day', ${date}, granularity = 'week', toMonday(${date}), toStartOfMonth(${date}))`;

/** One per-bucket aggregate: `select` over the selected rows of `view`, grouped by the bucket of `time`. */
function perBucket(name: string, view: string, time: string, narrowing: Narrowing, select: string[], extra: string[] = []): string {
  return `${name} AS (
    SELECT ${bucketOf(`toDate(${time}, tz)`)} AS bucket, ${select.join(', ')}
    FROM ${view}
    WHERE ${selected(view, time, narrowing, extra)}
    GROUP BY bucket)`;
}

/** A spec's aggregate per bucket, with arrays taken apart before the join (a missing bucket must give NULL, not 0). */
function specPerBucket(name: string, spec: { from: string; time: string; where?: string; select: string[] }, narrowing: Narrowing, columns: string[]): string {
  const grouped = aggregate(spec, narrowing, { key: bucketOf(`toDate(${spec.time}, tz)`), as: 'bucket' });
  return `${name} AS (SELECT bucket, ${columns.join(', ')} FROM (${grouped}))`;
}

function seriesQuery(granularity: Granularity, parts: string[], joins: string[], columns: string[]): string {
  return `WITH
  ${[...windowColumns, zoneColumn, ...calendarColumns, granularityColumn(granularity)].join(',\n  ')},
  buckets AS (SELECT DISTINCT ${bucketOf('first_day + number')} AS bucket FROM numbers(day_count)),
  ${parts.join(',\n  ')}
SELECT toDateTime(bucket, tz) AS time, ${columns.join(', ')}
FROM buckets
${joins.map((join) => `LEFT JOIN ${join} USING bucket`).join('\n')}
ORDER BY time
SETTINGS join_use_nulls = 1`;
}

const deployedPart = (narrowing: Narrowing) =>
  perBucket('deployed', 'current_deployments', 'finished_at', narrowing, [
    'count() AS deployment_count',
    'toUInt64(sum(failed)) AS failed_count',
    'toUInt64(sum(rework)) AS rework_count',
  ]);

/** Production deployments and failed attempts per Monday week. */
export function deploymentsPerWeekSql(narrowing: Narrowing): string {
  return seriesQuery(
    'week',
    [deployedPart(narrowing), perBucket('attempts', 'current_deploy_failures', 'finished_at', narrowing, ['count() AS failure_count'])],
    ['deployed', 'attempts'],
    ['coalesce(deployment_count, 0) AS deployments', 'coalesce(failure_count, 0) AS deploy_failures'],
  );
}

/** Lead time p50 and p90 per bucket. */
export function leadTimeSeriesSql(narrowing: Narrowing): string {
  return seriesQuery(
    'auto',
    [specPerBucket('lead', leadTimeSpec, narrowing, ['changes', `${nullIfNaN('lead[1]')} AS p50`, `${nullIfNaN('lead[2]')} AS p90`])],
    ['lead'],
    ['p50 AS lead_time_p50', 'p90 AS lead_time_p90'],
  );
}

/** The pull requests' stage medians per bucket, to stack. */
export function breakdownSeriesSql(narrowing: Narrowing): string {
  const stages = ['coding', 'pickup', 'review', 'deploy'];
  return seriesQuery(
    'auto',
    [specPerBucket('stages', breakdownSpec, narrowing, stages.map((stage) => `${nullIfNaN(`${stage}_median`)} AS ${stage}_stage`))],
    ['stages'],
    stages.map((stage) => `${stage}_stage AS ${stage}`),
  );
}

/** Change failure rate and rework rate per bucket (NULL where nothing was deployed). */
export function failureRateSeriesSql(narrowing: Narrowing): string {
  return seriesQuery(
    'auto',
    [deployedPart(narrowing)],
    ['deployed'],
    [
      'if(coalesce(deployment_count, 0) > 0, failed_count / deployment_count, NULL) AS change_failure_rate',
      'if(coalesce(deployment_count, 0) > 0, rework_count / deployment_count, NULL) AS rework_rate',
    ],
  );
}

/** Median failed deployment recovery time and median time to restore per bucket. */
export function recoverySeriesSql(narrowing: Narrowing): string {
  return seriesQuery(
    'auto',
    [
      specPerBucket('recovery', recoverySpec, narrowing, [`${nullIfNaN('recovery')} AS recovery_p50`]),
      specPerBucket('restore', restoreSpec, narrowing, [`${nullIfNaN('restore[1]')} AS restore_p50`]),
    ],
    ['recovery', 'restore'],
    ['recovery_p50 AS recovery_median', 'restore_p50 AS time_to_restore_median'],
  );
}
