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
  /** The current window's series buckets (local start dates); results name a bucket by its place in this list. */
  buckets: string[];
  /** Calendar buckets of each window, for the medians of deployment days (empty buckets count as 0). */
  weeks: { previous: number; current: number };
  months: { previous: number; current: number };
}

/** Which window a row falls in. */
export type WindowKey = 'previous' | 'current';

export type GroupSet = 'overall' | 'service' | 'team';

type Values = Record<string, unknown>;

/** One group's aggregates in one window: over the whole window, and (current window) per bucket, column by column. */
export interface GroupAggregates {
  total?: Values;
  /**
   * The buckets with rows (places in `Windows.buckets`, in no particular order), and each
   * aggregate per bucket, flattened: bucket `i`'s value of an aggregate of `n` numbers
   * (a pair of quantiles) is `perBucket[name].slice(i * n, i * n + n)`.
   */
  buckets?: number[];
  perBucket?: Record<string, unknown[]>;
}

/** The local date a bucket starts (a Date: far cheaper to group by than its text). */
const bucketExpression: Record<Granularity, (column: string) => string> = {
  day: (column) => `toDate(${column}, {tz:String})`,
  week: (column) => `toMonday(${column}, {tz:String})`,
  month: (column) => `toStartOfMonth(${column}, {tz:String})`,
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
    buckets: windows.buckets,
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

/** A bucket's place in the current window's series (`{buckets}`); -1 for none. */
const bucketPlace = (bucket: string) => `toInt32(indexOf({buckets:Array(Date)}, ${bucket})) - 1`;

/** The name a spec gives an aggregate (`count() AS changes` → `changes`). */
function aliasOf(select: string): string {
  const alias = /\bAS\s+(\w+)\s*$/i.exec(select)?.[1];
  if (!alias) throw new Error(`a metric spec's aggregate needs a name (… AS name): ${select}`);
  return alias;
}

/**
 * One exact aggregate per group for both windows in one scan: overall, per service, per
 * team, and (with a granularity) the same per calendar bucket of the current window, via
 * GROUPING SETS with the window as a key. Quantiles run over the raw rows of each group,
 * never over other quantiles. A group's buckets come back as one row of arrays.
 */
export async function groupedAggregate(
  scope: QueryScope,
  windows: Windows,
  spec: { from: string; time: string; where?: string; select: string[] },
  granularity: Granularity | null,
): Promise<Map<string, GroupAggregates>> {
  // Each grouping set keeps its own copy of the values for exact quantiles: no team sets without teams.
  const teams = scope.teamOf.size > 0;
  const sets = [
    '(w)',
    '(w, service)',
    ...(teams ? ['(w, team)'] : []),
    ...(granularity ? ['(w, bucket)', '(w, service, bucket)', ...(teams ? ['(w, team, bucket)'] : [])] : []),
  ].join(', ');
  // Buckets only in the current window: the previous window's rows all fall in one bucket, dropped below.
  const bucket = granularity ? `if(w = 1, ${bucketExpression[granularity](spec.time)}, toDate(0))` : 'toDate(0)';
  // grouping_bits: 4 = service aggregated away, 2 = team, 1 = bucket (GROUPING may only name keys in use).
  const grouping = teams
    ? granularity
      ? 'GROUPING(service, team, bucket)'
      : 'GROUPING(service, team) * 2 + 1'
    : granularity
      ? 'bitAnd(GROUPING(service, bucket), 2) * 2 + 2 + bitAnd(GROUPING(service, bucket), 1)'
      : 'GROUPING(service) * 4 + 3';
  const names = spec.select.map(aliasOf);
  const grouped = `
        SELECT ${windowOf(spec.time)} AS w, service, ${teamOf} AS team, ${bucket} AS bucket, ${grouping} AS grouping_bits,
               ${spec.select.join(', ')}
        FROM ${spec.from}
        WHERE scope = {scope:String} AND ${inWindows(scope, spec.time)}
          ${spec.where ? `AND ${spec.where}` : ''}
        GROUP BY GROUPING SETS (${sets})`;
  // Not the previous window's buckets, nor the team of the services without one.
  const wanted = "NOT (w = 0 AND bitAnd(grouping_bits, 1) = 0) AND NOT (bitAnd(grouping_bits, 6) = 4 AND team = '')";
  // With buckets, a group's rows become one row of arrays: a few thousand rows, not one per group and bucket.
  const query = granularity
    ? `
    SELECT w, grouping_bits, service, team, rows.1 AS buckets,
           ${names.map((name, index) => `arrayFlatten(rows.${index + 2}) AS ${name}`).join(', ')}
    FROM (
      SELECT w, grouping_bits, service, team, groupArray((${bucketPlace('bucket')}, ${names.join(', ')})) AS rows
      FROM (${grouped})
      WHERE ${wanted}
      GROUP BY w, grouping_bits, service, team
    )`
    : `SELECT * FROM (${grouped}) WHERE ${wanted}`;
  const { columns, rows } = await compactRows(scope, query, windows);
  const at = (name: string) => columns.indexOf(name);
  const [w, bits, service, team, buckets] = [at('w'), at('grouping_bits'), at('service'), at('team'), at('buckets')];
  const valueAt = names.map((name) => [name, at(name)] as const);
  const groups = new Map<string, GroupAggregates>();
  for (const row of rows) {
    const grouping = Number(row[bits]);
    const window: WindowKey = Number(row[w]) === 1 ? 'current' : 'previous';
    const set: GroupSet = (grouping & 4) === 0 ? 'service' : (grouping & 2) === 0 ? 'team' : 'overall';
    const name = set === 'service' ? String(row[service]) : set === 'team' ? String(row[team]) : '';
    const key = groupKey(window, set, name);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = {}));
    const values: Record<string, unknown> = {};
    if ((grouping & 1) === 0) {
      for (const [column, index] of valueAt) values[column] = row[index];
      group.buckets = row[buckets] as number[];
      group.perBucket = values as Record<string, unknown[]>;
    } else {
      for (const [column, index] of valueAt) {
        const value = row[index];
        // Nested, a whole-window row is a one-bucket row: a scalar aggregate is its only value, a pair of quantiles both.
        values[column] = granularity && Array.isArray(value) && value.length === 1 ? value[0] : value;
      }
      group.total = values;
    }
  }
  return groups;
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
  /** The current window's buckets with anything in them (places in `Windows.buckets`, in no particular order), and their counts at the same index. */
  perBucket: { buckets: number[]; deployments: number[]; deployDays: number[]; failed: number[]; rework: number[] };
}

/**
 * Every count-based figure (deployments, failures, rework, deployment days and their
 * weekly and monthly medians, deploy failures) per group and window, and per bucket of the
 * current window, in one scan of the deployments. The engine adds up the local days of
 * each group (service, team, overall): a few rows per group come back, not one per day.
 */
export async function deploymentFigures(scope: QueryScope, windows: Windows, granularity: Granularity): Promise<Map<string, DeployFigures>> {
  const teams = scope.teamOf.size > 0;
  const daily = granularity === 'day';
  // Three steps, each over far fewer rows than the last. Slices: per service, the counts of
  // each Monday week and month (a week across two months is two slices; per day for a daily
  // series), with the weekdays and the days of the month that had a deployment as bits.
  // Periods: per group (service, team, overall), each week and month, their deployment days
  // the bits of its slices or-ed together. Groups: the window's figures from its periods.
  const slice = `w, service, week, month${daily ? ', day' : ''}`;
  const sets = ['service', ...(teams ? ['team'] : []), null].flatMap((key) =>
    ['week', 'month', ...(daily ? ['day'] : [])].map((period) => `(${['w', ...(key ? [key] : []), period].join(', ')})`),
  );
  // level: 1 a week, 2 a month, 3 a day.
  const seriesLevel = { week: 1, month: 2, day: 3 }[granularity];
  const group = 'w, grouping_bits, service, team';
  const query = `
    SELECT * EXCEPT per_bucket, per_bucket.1 AS buckets, per_bucket.2 AS bucket_deployments, per_bucket.3 AS bucket_deploy_days,
           per_bucket.4 AS bucket_failed, per_bucket.5 AS bucket_rework
    FROM (
      SELECT ${group},
             sumIf(period_deployments, level = 2) AS deployments, sumIf(period_failed, level = 2) AS failed,
             sumIf(period_rework, level = 2) AS rework, sumIf(period_failures, level = 2) AS failures,
             sumIf(period_deploy_days, level = 2) AS deploy_days,
             arrayReduce('quantileExactInclusive(0.5)', arrayResize(groupArrayIf(period_deploy_days, level = 1),
               if(w = 1, {current_weeks:UInt32}, {previous_weeks:UInt32}), 0)) AS week_median,
             arrayReduce('quantileExactInclusive(0.5)', arrayResize(groupArrayIf(period_deploy_days, level = 2),
               if(w = 1, {current_months:UInt32}, {previous_months:UInt32}), 0)) AS month_median,
             groupArrayIf((${bucketPlace('period')}, period_deployments, period_deploy_days, period_failed, period_rework), level = ${seriesLevel} AND w = 1) AS per_bucket
      FROM (
        SELECT w, service, ${teams ? 'team' : "'' AS team"}, ${teams ? 'GROUPING(service, team)' : 'GROUPING(service) * 2 + 1'} AS grouping_bits,
               multiIf(GROUPING(week) = 0, 1, GROUPING(month) = 0, 2, 3) AS level,
               ${daily ? 'multiIf(level = 1, week, level = 2, month, day)' : 'if(level = 1, week, month)'} AS period,
               sum(slice_deployments) AS period_deployments, sum(slice_failed) AS period_failed, sum(slice_rework) AS period_rework,
               sum(slice_failures) AS period_failures,
               bitCount(groupBitOr(weekdays)) AS period_weekdays, bitCount(groupBitOr(month_days)) AS period_month_days,
               if(level = 2, period_month_days, period_weekdays) AS period_deploy_days
        FROM (
          SELECT ${slice}, ${teamOf} AS team,
                 sum(deployment) AS slice_deployments, sum(failed) AS slice_failed, sum(rework) AS slice_rework, sum(failure) AS slice_failures,
                 groupBitOr(if(deployment = 1, bitShiftLeft(toUInt8(1), toDayOfWeek(day) - 1), 0)) AS weekdays,
                 groupBitOr(if(deployment = 1, bitShiftLeft(toUInt32(1), toDayOfMonth(day) - 1), 0)) AS month_days
          FROM (
            SELECT w, service, day, toMonday(day) AS week, toStartOfMonth(day) AS month, deployment, failed, rework, failure
            FROM (
              SELECT ${windowOf('finished_at')} AS w, service, toDate(finished_at, {tz:String}) AS day,
                     toUInt8(1) AS deployment, failed, rework, toUInt8(0) AS failure
              FROM ${currentViews.deployments}
              WHERE scope = {scope:String} AND ${inWindows(scope, 'finished_at')}
              UNION ALL
              -- Failed attempts never went live: they are in the raw table only, never derived.
              SELECT ${windowOf('finished_at')} AS w, service, toDate(finished_at, {tz:String}) AS day,
                     toUInt8(0), toUInt8(0), toUInt8(0), toUInt8(1)
              FROM deployments FINAL
              WHERE status = 'failure' AND lower(environment) IN {environments:Array(String)} AND ${inWindows(scope, 'finished_at')}
            )
          )
          GROUP BY ${slice}
        )
        GROUP BY GROUPING SETS (${sets.join(', ')})
      )
      GROUP BY ${group}
    )`;
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
    const numbers = (column: string) => row[at[column] as number] as number[];
    figures.set(groupKey(window, set, name), {
      deployments: Number(row[at.deployments as number]),
      failed: Number(row[at.failed as number]),
      rework: Number(row[at.rework as number]),
      failures: Number(row[at.failures as number]),
      deployDays: Number(row[at.deploy_days as number]),
      weekMedian: finite(row[at.week_median as number]) ?? 0,
      monthMedian: finite(row[at.month_median as number]) ?? 0,
      perBucket: {
        buckets: numbers('buckets'),
        deployments: numbers('bucket_deployments'),
        deployDays: numbers('bucket_deploy_days'),
        failed: numbers('bucket_failed'),
        rework: numbers('bucket_rework'),
      },
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
