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
  /** The current window's series buckets (local start dates, consecutive); results name a bucket by its place in this list. */
  buckets: string[];
  /** Each window's first local date: its weeks and months are counted from that date's Monday and month. */
  firstDays: { previous: string; current: string };
  /** Calendar buckets of each window, for the medians of deployment days (empty buckets count as 0). */
  weeks: { previous: number; current: number };
  months: { previous: number; current: number };
}

/** Which window a row falls in. */
export type WindowKey = 'previous' | 'current';

export type GroupSet = 'overall' | 'service' | 'team';

type Values = Record<string, unknown>;

/** One group's aggregates in one window: over the whole window, and (current window) per bucket. */
export interface GroupAggregates {
  total: Values;
  /** The spec's `series` aggregates, one value per bucket of `Windows.buckets` (empty buckets too). */
  perBucket?: Record<string, unknown[]>;
}

/** A local date's place among consecutive calendar buckets starting with the one of `first` (a local date). */
const placeAmong: Record<Granularity, (day: string, first: string) => string> = {
  day: (day, first) => `toInt32(${day}) - toInt32(${first})`,
  week: (day, first) => `intDiv(toInt32(toMonday(${day})) - toInt32(toMonday(${first})), 7)`,
  month: (day, first) => `toInt32(toRelativeMonthNum(${day})) - toInt32(toRelativeMonthNum(${first}))`,
};
/** The first local date of a row's window. */
const windowStart = 'if(w = 1, {current_first:Date}, {previous_first:Date})';
/** A row's place in the current window's series (`{buckets}`); -1 in the previous window, which has none. */
const bucketPlace = (granularity: Granularity, day: string) => `if(w = 1, ${placeAmong[granularity](day, '{current_first:Date}')}, -1)`;
/** Per bucket: the -Resample combinator keeps one state per place in [0, buckets), so a group's series comes back as one array. */
const perBucketRange = '0, {bucket_count:UInt32}, 1';
/** The previous window has no series: its arrays would be all empty buckets. */
const currentOnly = (aggregate: string) => `if(w = 1, ${aggregate}, [])`;

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
    previous_first: windows.firstDays.previous,
    current_first: windows.firstDays.current,
    bucket_count: windows.buckets.length,
    previous_weeks: windows.weeks.previous,
    current_weeks: windows.weeks.current,
    most_weeks: Math.max(windows.weeks.previous, windows.weeks.current),
    previous_months: windows.months.previous,
    current_months: windows.months.current,
    most_months: Math.max(windows.months.previous, windows.months.current),
  };
}

/** Rows of both windows (`{since}` to `{until}`), and of the services asked for. */
const inWindows = (scope: QueryScope, time: string) =>
  `${scope.services ? 'service IN {services:Array(String)} AND ' : ''}${time} >= {since:DateTime64(3, 'UTC')} AND ${time} < {until:DateTime64(3, 'UTC')}`;
/** 1 for a row of the current window, 0 for the previous one. */
const windowOf = (time: string) => `toUInt8(${time} >= {split:DateTime64(3, 'UTC')})`;
const teamOf = `transform(service, {team_services:Array(String)}, {team_names:Array(String)}, '')`;

/**
 * Overall, per service and per team (when the catalog names teams) for both windows: a
 * grouping set per group kind with the window as a key. `grouping_bits`: 1 a service's row,
 * 2 a team's, 3 the overall one. The rows of services without a team are not a team's.
 */
function groupingSets(scope: QueryScope): { sets: string; team: string; bits: string; wanted: string } {
  const teams = scope.teamOf.size > 0;
  return {
    sets: ['(w)', '(w, service)', ...(teams ? ['(w, team)'] : [])].join(', '),
    team: teams ? `${teamOf} AS team` : "'' AS team",
    bits: teams ? 'GROUPING(service, team)' : 'GROUPING(service) * 2 + 1',
    wanted: "NOT (grouping_bits = 2 AND team = '')",
  };
}

function groupOf(row: unknown[], at: (name: string) => number): { window: WindowKey; set: GroupSet; name: string } {
  const bits = Number(row[at('grouping_bits')]);
  const set: GroupSet = bits === 1 ? 'service' : bits === 2 ? 'team' : 'overall';
  const name = set === 'service' ? String(row[at('service')]) : set === 'team' ? String(row[at('team')]) : '';
  return { window: Number(row[at('w')]) === 1 ? 'current' : 'previous', set, name };
}

/** The whole answer of a query in JSONCompact: column names, then rows as arrays (far lighter than an object per row). */
async function compactRows(scope: QueryScope, query: string, windows: Windows): Promise<{ at: (name: string) => number; rows: unknown[][] }> {
  const result = await scope.client.query({
    query,
    query_params: params(scope, windows),
    format: 'JSONCompact',
    // Counts as JSON numbers, not strings (a server quotes 64-bit integers by default).
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const { meta, data } = await result.json<unknown[]>();
  const columns = (meta ?? []).map((column) => column.name);
  return { at: (name) => columns.indexOf(name), rows: data };
}

/** The parts of a spec's aggregate: `fn(parameters)(args) AS alias` or `fn(args) AS alias`. */
function aggregateParts(select: string): { fn: string; parameters: string[]; args: string[]; alias: string } {
  const match = /^(\w+)(?:\(([^()]*)\))?\((.*)\)\s+AS\s+(\w+)$/s.exec(select.trim());
  if (!match) throw new Error(`a metric spec's aggregate must read fn(args) AS name or fn(params)(args) AS name: ${select}`);
  const [, fn, parameters = '', args, alias] = match as unknown as [string, string, string | undefined, string, string];
  const list = (text: string) => (text.trim() === '' ? [] : [text]);
  return { fn, parameters: list(parameters), args: list(args), alias };
}

/** The same aggregate with a combinator (unnamed): `-Resample` and `-If` take parameters after the function's own and arguments after its own. */
function combined(select: string, combinator: string, parameters: string[], args: string[]): string {
  const parts = aggregateParts(select);
  const allParameters = [...parts.parameters, ...parameters];
  return `${parts.fn}${combinator}${allParameters.length > 0 ? `(${allParameters.join(', ')})` : ''}(${[...parts.args, ...args].join(', ')})`;
}

/** The name a spec gives an aggregate (`count() AS changes` → `changes`). */
const aliasOf = (select: string) => aggregateParts(select).alias;

/** An aggregate of a spec per bucket: `quantiles(0.5, 0.9)(x) AS lead` → `quantilesResample(0.5, 0.9, <range>)(x, bucket_place) AS bucket_lead`. */
function resampled(select: string): string {
  const perBucket = combined(select, 'Resample', [perBucketRange], ['bucket_place']);
  // Flat: a pair of quantiles per bucket comes back as [p50, p90, p50, p90, …], far cheaper to parse than nested pairs.
  return `arrayFlatten(${currentOnly(perBucket)}) AS bucket_${aliasOf(select)}`;
}

/**
 * Two specs over the same view and time in one scan: the second's aggregates count only its
 * rows (`-If` with its `where`). The lead time and its PR stages read the changes once.
 */
export function mergedSpecs(first: MetricSpec, second: MetricSpec): MetricSpec {
  if (first.from !== second.from || first.time !== second.time || first.where) throw new Error('specs merge only over the same view and time, the first unfiltered');
  const only = (select: string) => (second.where ? `${combined(select, 'If', [], [second.where])} AS ${aliasOf(select)}` : select);
  return { ...first, select: [...first.select, ...second.select.map(only)] };
}

/** What a metric query aggregates: a view, its time column, and exact aggregates (`… AS name`). */
export interface MetricSpec {
  from: string;
  time: string;
  where?: string;
  select: string[];
  /** The aggregates the report's series need per bucket (`… AS name`, answered as `bucket_name`, one value per bucket). */
  series?: string[];
}

/**
 * One exact aggregate per group for both windows in one scan: overall, per service, per
 * team, and (with a granularity) the spec's `series` per calendar bucket of the current
 * window, as arrays from the -Resample combinator: each bucket's state sees only its rows,
 * so quantiles stay exact over the raw rows of each group and bucket, and a group's series
 * comes back whole, in bucket order.
 */
export async function groupedAggregate(
  scope: QueryScope,
  windows: Windows,
  spec: MetricSpec,
  granularity: Granularity | null,
): Promise<Map<string, GroupAggregates>> {
  const { sets, team, bits, wanted } = groupingSets(scope);
  const names = spec.select.map(aliasOf);
  const series = granularity ? (spec.series ?? []) : [];
  const query = `
    SELECT * FROM (
      ${granularity ? `WITH ${bucketPlace(granularity, `toDate(${spec.time}, {tz:String})`)} AS bucket_place` : ''}
      SELECT ${windowOf(spec.time)} AS w, service, ${team}, ${bits} AS grouping_bits,
             ${[...spec.select, ...series.map(resampled)].join(',\n             ')}
      FROM ${spec.from}
      WHERE scope = {scope:String} AND ${inWindows(scope, spec.time)}
        ${spec.where ? `AND ${spec.where}` : ''}
      GROUP BY GROUPING SETS (${sets})
    )
    WHERE ${wanted}`;
  const { at, rows } = await compactRows(scope, query, windows);
  const valueAt = names.map((name) => [name, at(name)] as const);
  const seriesAt = series.map(aliasOf).map((name) => [name, at(`bucket_${name}`)] as const);
  const groups = new Map<string, GroupAggregates>();
  for (const row of rows) {
    const { window, set, name } = groupOf(row, at);
    const group: GroupAggregates = { total: Object.fromEntries(valueAt.map(([column, index]) => [column, row[index]])) };
    if (window === 'current' && seriesAt.length > 0) group.perBucket = Object.fromEntries(seriesAt.map(([column, index]) => [column, row[index] as unknown[]]));
    groups.set(groupKey(window, set, name), group);
  }
  return groups;
}

const leadQuantiles = 'quantilesExactInclusive(0.5, 0.9)(lead_seconds) AS lead';

/** Lead time per group and bucket: count and exact p50/p90 over the changes shipped in the window. */
export const leadTimeSpec: MetricSpec = {
  from: currentViews.changes,
  time: 'deployed_at',
  select: ['count() AS changes', leadQuantiles, "countIf(kind = 'pr') AS pull_requests"],
  series: ['count() AS changes', leadQuantiles],
};

/** The PR stage medians, per group over the whole window only (their values are kept once per grouping set). */
export const breakdownSpec: MetricSpec = {
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

export const restoreSpec: MetricSpec = {
  from: currentViews.incidents,
  time: 'opened_at',
  select: [
    'count() AS incidents',
    "countIf(status = 'resolved') AS resolved",
    "countIf(status = 'open') AS open",
    "countIf(status = 'invalid') AS invalid",
    'quantilesExactInclusive(0.5, 0.9)(restore_seconds) AS restore',
  ],
  // The series shows the median only.
  series: ['quantileExactInclusive(0.5)(restore_seconds) AS restore_median'],
};

const recoveryMedian = 'quantileExactInclusive(0.5)(recovery_seconds) AS recovery';

export const recoverySpec: MetricSpec = {
  from: currentViews.deployments,
  time: 'finished_at',
  where: 'failed = 1',
  select: ['count() AS failed_deployments', 'count(recovery_seconds) AS recovered', recoveryMedian],
  series: [recoveryMedian],
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
  /** The current window's counts, one per bucket of `Windows.buckets`; empty in the previous window. */
  perBucket: { deployments: number[]; deployDays: number[]; failed: number[]; rework: number[] };
}

/**
 * Every count-based figure (deployments, failures, rework, deployment days and their
 * weekly and monthly medians, deploy failures) per group and window, and per bucket of the
 * current window, in one aggregation of the deployments. A group's deployment days are
 * kept as bits per calendar period of its window (-Resample over the period's place): the
 * weekdays of each Monday week and the days of each month that had a deployment. Their bit
 * counts are the days per week and per month (an empty period counts 0), whose medians and
 * sum the engine works out per group: one row per group comes back, not one per day.
 */
export async function deploymentFigures(scope: QueryScope, windows: Windows, granularity: Granularity): Promise<Map<string, DeployFigures>> {
  const { sets, team, bits, wanted } = groupingSets(scope);
  const perBucket = (expression: string) => currentOnly(`sumResample(${perBucketRange})(${expression}, bucket_place)`);
  // Days with a deployment per bucket: a week's or month's bit count, or (daily buckets) whether the day had one.
  const bucketDays = { day: 'arrayMap(any -> toUInt64(any), bucket_any)', week: 'if(w = 1, week_days, [])', month: 'if(w = 1, month_days, [])' }[granularity];
  const query = `
    SELECT w, grouping_bits, service, team, deployments, failed_count AS failed, rework_count AS rework, failures,
           arrayMap(bits -> toUInt64(bitCount(bits)), arraySlice(week_bits, 1, if(w = 1, {current_weeks:UInt32}, {previous_weeks:UInt32}))) AS week_days,
           arrayMap(bits -> toUInt64(bitCount(bits)), arraySlice(month_bits, 1, if(w = 1, {current_months:UInt32}, {previous_months:UInt32}))) AS month_days,
           arraySum(month_days) AS deploy_days,
           arrayReduce('quantileExactInclusive(0.5)', week_days) AS week_median,
           arrayReduce('quantileExactInclusive(0.5)', month_days) AS month_median,
           bucket_deployments, ${bucketDays} AS bucket_deploy_days, bucket_failed, bucket_rework
    FROM (
      WITH ${bucketPlace(granularity, 'day')} AS bucket_place,
           ${placeAmong.week('day', windowStart)} AS week_place,
           ${placeAmong.month('day', windowStart)} AS month_place
      SELECT w, service, ${team}, ${bits} AS grouping_bits,
             -- Named apart from the columns: the per-bucket sums below read the columns.
             sum(deployment) AS deployments, sum(failed) AS failed_count, sum(rework) AS rework_count, sum(failure) AS failures,
             groupBitOrResample(0, {most_weeks:UInt32}, 1)(if(deployment = 1, bitShiftLeft(toUInt8(1), toDayOfWeek(day) - 1), toUInt8(0)), week_place) AS week_bits,
             groupBitOrResample(0, {most_months:UInt32}, 1)(if(deployment = 1, bitShiftLeft(toUInt32(1), toDayOfMonth(day) - 1), toUInt32(0)), month_place) AS month_bits,
             ${perBucket('deployment')} AS bucket_deployments, ${perBucket('failed')} AS bucket_failed, ${perBucket('rework')} AS bucket_rework,
             ${granularity === 'day' ? currentOnly(`groupBitOrResample(${perBucketRange})(deployment, bucket_place)`) : '[]'} AS bucket_any
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
      GROUP BY GROUPING SETS (${sets})
    )
    WHERE ${wanted}`;
  const { at, rows } = await compactRows(scope, query, windows);
  const figures = new Map<string, DeployFigures>();
  for (const row of rows) {
    const { window, set, name } = groupOf(row, at);
    figures.set(groupKey(window, set, name), {
      deployments: Number(row[at('deployments')]),
      failed: Number(row[at('failed')]),
      rework: Number(row[at('rework')]),
      failures: Number(row[at('failures')]),
      deployDays: Number(row[at('deploy_days')]),
      weekMedian: finite(row[at('week_median')]) ?? 0,
      monthMedian: finite(row[at('month_median')]) ?? 0,
      // Numbers already (compactRows asks for unquoted 64-bit integers).
      perBucket: {
        deployments: row[at('bucket_deployments')] as number[],
        deployDays: row[at('bucket_deploy_days')] as number[],
        failed: row[at('bucket_failed')] as number[],
        rework: row[at('bucket_rework')] as number[],
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
