import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../derive/time.js';
import { currentViews } from '../derive/write.js';
import { finite } from './stats.js';
import type { Granularity } from './types.js';

/** What every metric query is scoped by. */
export interface QueryScope {
  client: ClickHouseClient;
  /** Derived scope key (`production,prod`) and the environment names behind it. */
  scope: string;
  environments: string[];
  tz: string;
  /** The services asked for; undefined for every service in the scope. */
  services?: string[];
  /** The service catalog's owners. */
  teamOf: ReadonlyMap<string, string>;
}

export interface Bounds {
  since: number;
  until: number;
}

/** A report's two windows: the previous one ends where the current one starts. */
export interface Windows {
  previous: Bounds;
  current: Bounds;
  /** Calendar buckets of each window, for the medians of deployment days (empty buckets count as 0). */
  weeks: { previous: number; current: number };
  months: { previous: number; current: number };
}

/** Which window a row falls in. */
export type WindowKey = 'previous' | 'current';

export type GroupSet = 'overall' | 'service' | 'team';

export interface GroupedRow {
  window: WindowKey;
  set: GroupSet;
  /** Service or team name; '' for overall. */
  name: string;
  /** Bucket start date, or null for the whole window. */
  bucket: string | null;
  values: Record<string, unknown>;
}

const bucketExpression: Record<Granularity, (column: string) => string> = {
  day: (column) => `toString(toDate(${column}, {tz:String}))`,
  week: (column) => `toString(toMonday(${column}, {tz:String}))`,
  month: (column) => `toString(toStartOfMonth(${column}, {tz:String}))`,
};

function params(scope: QueryScope, windows: Windows): Record<string, unknown> {
  const owned = [...scope.teamOf];
  return {
    scope: scope.scope,
    environments: scope.environments,
    tz: scope.tz,
    ...(scope.services ? { services: scope.services } : {}),
    team_services: owned.map(([service]) => service),
    team_names: owned.map(([, team]) => team),
    since: chTime(windows.previous.since),
    split: chTime(windows.current.since),
    until: chTime(windows.current.until),
    previous_weeks: windows.weeks.previous,
    current_weeks: windows.weeks.current,
    previous_months: windows.months.previous,
    current_months: windows.months.current,
  };
}

/** Rows of both windows (`{since}` to `{until}`), and of the services asked for. */
const inWindows = (scope: QueryScope, time: string) =>
  `${scope.services ? 'service IN {services:Array(String)} AND ' : ''}${time} >= {since:DateTime64(3, 'UTC')} AND ${time} < {until:DateTime64(3, 'UTC')}`;
/** 1 for a row of the current window, 0 for the previous one. */
const windowOf = (time: string) => `toUInt8(${time} >= {split:DateTime64(3, 'UTC')})`;
const teamOf = `transform(service, {team_services:Array(String)}, {team_names:Array(String)}, '')`;

/** The whole answer of a query in JSONCompact: column names, then rows as arrays (far lighter than an object per row). */
async function compactRows(scope: QueryScope, query: string, windows: Windows): Promise<{ columns: string[]; rows: unknown[][] }> {
  const result = await scope.client.query({ query, query_params: params(scope, windows), format: 'JSONCompact' });
  const { meta, data } = await result.json<unknown[]>();
  return { columns: (meta ?? []).map((column) => column.name), rows: data };
}

const decodeSet = (bits: number): GroupSet => ((bits & 4) === 0 ? 'service' : (bits & 2) === 0 ? 'team' : 'overall');

/**
 * One exact aggregate per group for both windows in one scan: overall, per service, per
 * team, and (with a granularity) the same per calendar bucket of the current window, via
 * GROUPING SETS with the window as a key. Quantiles run over the raw rows of each group,
 * never over other quantiles.
 */
export async function groupedAggregate(
  scope: QueryScope,
  windows: Windows,
  spec: { from: string; time: string; where?: string; select: string[] },
  granularity: Granularity | null,
): Promise<GroupedRow[]> {
  // Each grouping set keeps its own copy of the values for exact quantiles: no team sets without teams.
  const teams = scope.teamOf.size > 0;
  const sets = [
    '(w)',
    '(w, service)',
    ...(teams ? ['(w, team)'] : []),
    ...(granularity ? ['(w, bucket)', '(w, service, bucket)', ...(teams ? ['(w, team, bucket)'] : [])] : []),
  ].join(', ');
  // Buckets only in the current window: the previous window's rows all fall in bucket '', dropped below.
  const bucket = granularity ? `if(w = 1, ${bucketExpression[granularity](spec.time)}, '')` : `''`;
  // grouping_bits: 4 = service aggregated away, 2 = team, 1 = bucket (GROUPING may only name keys in use).
  const grouping = teams
    ? granularity
      ? 'GROUPING(service, team, bucket)'
      : 'GROUPING(service, team) * 2 + 1'
    : granularity
      ? 'bitAnd(GROUPING(service, bucket), 2) * 2 + 2 + bitAnd(GROUPING(service, bucket), 1)'
      : 'GROUPING(service) * 4 + 3';
  const query = `
    SELECT ${windowOf(spec.time)} AS w, service, ${teamOf} AS team, ${bucket} AS bucket, ${grouping} AS grouping_bits,
           ${spec.select.join(', ')}
    FROM ${spec.from}
    WHERE scope = {scope:String} AND ${inWindows(scope, spec.time)}
      ${spec.where ? `AND ${spec.where}` : ''}
    GROUP BY GROUPING SETS (${sets})`;
  const { columns, rows } = await compactRows(scope, query, windows);
  const [w, service, team, bucketAt, bits] = ['w', 'service', 'team', 'bucket', 'grouping_bits'].map((name) => columns.indexOf(name)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const decoded: GroupedRow[] = [];
  for (const row of rows) {
    const grouping = Number(row[bits]);
    const bucketed = (grouping & 1) === 0;
    const window: WindowKey = Number(row[w]) === 1 ? 'current' : 'previous';
    if (bucketed && window === 'previous') continue;
    const set = decodeSet(grouping);
    const name = set === 'service' ? String(row[service]) : set === 'team' ? String(row[team]) : '';
    // Services without a team fall in the team '' group: not a team.
    if (set === 'team' && name === '') continue;
    const values: Record<string, unknown> = {};
    for (let index = 0; index < columns.length; index++) values[columns[index] as string] = row[index];
    decoded.push({ window, set, name, bucket: bucketed ? String(row[bucketAt]) : null, values });
  }
  return decoded;
}

/** Lead time per group and bucket: count and exact p50/p90 over the changes shipped in the window. */
export const leadTimeSpec = {
  from: currentViews.changes,
  time: 'deployed_at',
  select: ['count() AS changes', 'quantilesExactInclusive(0.5, 0.9)(lead_seconds) AS lead', "countIf(kind = 'pr') AS pull_requests"],
};

/** The PR stage medians, per group over the whole window only (their values are kept once per grouping set). */
export const breakdownSpec = {
  from: currentViews.changes,
  time: 'deployed_at',
  where: "kind = 'pr'",
  select: [
    ...['coding', 'pickup', 'review', 'deploy'].flatMap((stage) => [
      `count(${stage}_seconds) AS ${stage}_n`,
      `quantileExactInclusive(0.5)(${stage}_seconds) AS ${stage}_median`,
    ]),
    "sum(arrayCount(stage -> stage != 'lead', clamped_stages)) AS clamped",
  ],
};

export const restoreSpec = {
  from: currentViews.incidents,
  time: 'opened_at',
  select: [
    'count() AS incidents',
    "countIf(status = 'resolved') AS resolved",
    "countIf(status = 'open') AS open",
    "countIf(status = 'invalid') AS invalid",
    'quantilesExactInclusive(0.5, 0.9)(restore_seconds) AS restore',
  ],
};

export const recoverySpec = {
  from: currentViews.deployments,
  time: 'finished_at',
  where: 'failed = 1',
  select: ['count() AS failed_deployments', 'count(recovery_seconds) AS recovered', 'quantileExactInclusive(0.5)(recovery_seconds) AS recovery'],
};

/** Deployment counts of one group in one window, and (current window) per calendar bucket. */
export interface DeployFigures {
  deployments: number;
  failed: number;
  rework: number;
  /** Failed production attempts (status `failure`). */
  failures: number;
  /** Local dates with at least one deployment. */
  deployDays: number;
  /** Medians of deployment days per Monday week and per month of the window, empty ones counted as 0. */
  weekMedian: number;
  monthMedian: number;
  /** The current window's buckets with anything in them. */
  perBucket: Map<string, BucketCounts>;
}

/** A bucket's deployments, deployment days, failed deployments and rework. */
export type BucketCounts = [deployments: number, deployDays: number, failed: number, rework: number];

/**
 * Every count-based figure (deployments, failures, rework, deployment days and their
 * weekly and monthly medians, deploy failures) per group and window, and per bucket of the
 * current window, in one scan of the deployments. The engine adds up the local days of
 * each group (service, team, overall): a few rows per group come back, not one per day.
 */
export async function deploymentFigures(scope: QueryScope, windows: Windows, granularity: Granularity): Promise<Map<string, DeployFigures>> {
  const teams = scope.teamOf.size > 0;
  // Three steps, each over far fewer rows than the last: the local days of each group (service,
  // team, overall); each group's Monday weeks and months (and days, for a daily series) from those;
  // each group's figures from its weeks and months. level: 1 a week, 2 a month, 3 a day.
  const seriesLevel = { week: 1, month: 2, day: 3 }[granularity];
  const group = 'w, grouping_bits, service, team';
  const query = `
    SELECT ${group},
           sumIf(period_deployments, level = 2) AS deployments, sumIf(period_failed, level = 2) AS failed,
           sumIf(period_rework, level = 2) AS rework, sumIf(period_failures, level = 2) AS failures,
           sumIf(period_deploy_days, level = 2) AS deploy_days,
           arrayReduce('quantileExactInclusive(0.5)', arrayResize(groupArrayIf(period_deploy_days, level = 1),
             if(w = 1, {current_weeks:UInt32}, {previous_weeks:UInt32}), 0)) AS week_median,
           arrayReduce('quantileExactInclusive(0.5)', arrayResize(groupArrayIf(period_deploy_days, level = 2),
             if(w = 1, {current_months:UInt32}, {previous_months:UInt32}), 0)) AS month_median,
           groupArrayIf((toString(period), period_deployments, period_deploy_days, period_failed, period_rework), level = ${seriesLevel} AND w = 1) AS per_bucket
    FROM (
      SELECT ${group}, GROUPING(week, month) AS level, ${granularity === 'day' ? 'multiIf(level = 1, week, level = 2, month, day)' : 'if(level = 1, week, month)'} AS period,
             sum(day_deployments) AS period_deployments, sum(day_failed) AS period_failed, sum(day_rework) AS period_rework,
             sum(day_failures) AS period_failures, countIf(day_deployments > 0) AS period_deploy_days
      FROM (
        SELECT w, service, ${teamOf} AS team, day, toMonday(day) AS week, toStartOfMonth(day) AS month,
               ${teams ? 'GROUPING(service, team)' : 'GROUPING(service) * 2 + 1'} AS grouping_bits,
               sum(deployment) AS day_deployments, sum(failed) AS day_failed, sum(rework) AS day_rework, sum(failure) AS day_failures
        FROM (
          SELECT ${windowOf('finished_at')} AS w, service, toDate(finished_at, {tz:String}) AS day,
                 toUInt64(1) AS deployment, toUInt64(failed) AS failed, toUInt64(rework) AS rework, toUInt64(0) AS failure
          FROM ${currentViews.deployments}
          WHERE scope = {scope:String} AND ${inWindows(scope, 'finished_at')}
          UNION ALL
          SELECT ${windowOf('finished_at')} AS w, service, toDate(finished_at, {tz:String}) AS day,
                 toUInt64(0), toUInt64(0), toUInt64(0), toUInt64(1)
          FROM deployments FINAL
          WHERE status = 'failure' AND lower(environment) IN {environments:Array(String)} AND ${inWindows(scope, 'finished_at')}
        )
        GROUP BY GROUPING SETS ((w, service, day), ${teams ? '(w, team, day), ' : ''}(w, day))
      )
      GROUP BY GROUPING SETS ((${group}, week), (${group}, month)${granularity === 'day' ? `, (${group}, day)` : ''})
    )
    GROUP BY ${group}`;
  const { columns, rows } = await compactRows(scope, query, windows);
  const at = Object.fromEntries(columns.map((name, index) => [name, index]));
  const figures = new Map<string, DeployFigures>();
  for (const row of rows) {
    // grouping_bits: 1 = team aggregated away (a service's days), 2 = service (a team's), 3 = both (overall).
    const bits = Number(row[at.grouping_bits as number]);
    const set: GroupSet = bits === 1 ? 'service' : bits === 2 ? 'team' : 'overall';
    const name = set === 'service' ? String(row[at.service as number]) : set === 'team' ? String(row[at.team as number]) : '';
    if (set === 'team' && name === '') continue;
    const window: WindowKey = Number(row[at.w as number]) === 1 ? 'current' : 'previous';
    const perBucket = (row[at.per_bucket as number] ?? []) as unknown[][];
    figures.set(groupKey(window, set, name), {
      deployments: Number(row[at.deployments as number]),
      failed: Number(row[at.failed as number]),
      rework: Number(row[at.rework as number]),
      failures: Number(row[at.failures as number]),
      deployDays: Number(row[at.deploy_days as number]),
      weekMedian: finite(row[at.week_median as number]) ?? 0,
      monthMedian: finite(row[at.month_median as number]) ?? 0,
      perBucket: new Map(perBucket.map(([bucket, ...counts]) => [String(bucket), counts.map(Number) as BucketCounts])),
    });
  }
  return figures;
}

/** The key of one group of one window. */
export const groupKey = (window: WindowKey, set: GroupSet, name: string) => `${window}|${set}|${name}`;

/** Services with derived rows in the scope, and services with failed production attempts (which derive does not hold). */
export async function knownServices(client: ClickHouseClient, scope: string, environments: string[]): Promise<string[]> {
  const result = await client.query({
    query: `SELECT DISTINCT service FROM (
              SELECT service FROM derived_state FINAL WHERE scope = {scope:String} AND deployments + incidents > 0
              UNION ALL
              SELECT service FROM deployments FINAL WHERE status = 'failure' AND lower(environment) IN {environments:Array(String)})
            ORDER BY service`,
    query_params: { scope, environments },
    format: 'JSONCompactEachRow',
  });
  return (await result.json<[string]>()).map(([service]) => service);
}
