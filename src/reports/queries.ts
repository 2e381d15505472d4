import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../derive/time.js';
import { currentViews } from '../derive/write.js';
import type { Granularity } from './types.js';

/** What every metric query is scoped by. */
export interface QueryScope {
  client: ClickHouseClient;
  /** Derived scope key (`production,prod`) and the environment names behind it. */
  scope: string;
  environments: string[];
  tz: string;
  services: string[];
  teamOf: ReadonlyMap<string, string>;
}

export interface Bounds {
  since: number;
  until: number;
}

export type GroupSet = 'overall' | 'service' | 'team';

export interface GroupedRow {
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

function params(scope: QueryScope, bounds: Bounds): Record<string, unknown> {
  const teamNames = scope.services.map((service) => scope.teamOf.get(service) ?? '');
  return {
    scope: scope.scope,
    environments: scope.environments,
    tz: scope.tz,
    services: scope.services,
    team_services: scope.services,
    team_names: teamNames,
    since: chTime(bounds.since),
    until: chTime(bounds.until),
  };
}

/**
 * One exact aggregate per group in one scan: overall, per service, per team, and (with
 * a granularity) the same per calendar bucket, via GROUPING SETS. Quantiles run over
 * the raw rows of each group, never over other quantiles.
 */
export async function groupedAggregate(
  scope: QueryScope,
  bounds: Bounds,
  spec: { from: string; time: string; where?: string; select: string[] },
  granularity: Granularity | null,
): Promise<GroupedRow[]> {
  // Each grouping set keeps its own copy of the values for exact quantiles: no team sets without teams.
  const teams = scope.teamOf.size > 0;
  const sets = [
    '()',
    '(service)',
    ...(teams ? ['(team)'] : []),
    ...(granularity ? ['(bucket)', '(service, bucket)', ...(teams ? ['(team, bucket)'] : [])] : []),
  ].join(', ');
  const bucket = granularity ? bucketExpression[granularity](spec.time) : `''`;
  // grouping_bits: 4 = service aggregated away, 2 = team, 1 = bucket (GROUPING may only name keys in use).
  const grouping = teams
    ? granularity
      ? 'GROUPING(service, team, bucket)'
      : 'GROUPING(service, team) * 2 + 1'
    : granularity
      ? 'bitAnd(GROUPING(service, bucket), 2) * 2 + 2 + bitAnd(GROUPING(service, bucket), 1)'
      : 'GROUPING(service) * 4 + 3';
  const query = `
    SELECT service, transform(service, {team_services:Array(String)}, {team_names:Array(String)}, '') AS team,
           ${bucket} AS bucket, ${grouping} AS grouping_bits, ${spec.select.join(', ')}
    FROM ${spec.from}
    WHERE scope = {scope:String} AND service IN {services:Array(String)}
      AND ${spec.time} >= {since:DateTime64(3, 'UTC')} AND ${spec.time} < {until:DateTime64(3, 'UTC')}
      ${spec.where ? `AND ${spec.where}` : ''}
    GROUP BY GROUPING SETS (${sets})`;
  const result = await scope.client.query({ query, query_params: params(scope, bounds), format: 'JSONEachRow' });
  const rows = await result.json<Record<string, unknown>>();
  const decoded: GroupedRow[] = [];
  for (const row of rows) {
    const bits = Number(row.grouping_bits);
    const bucketed = (bits & 1) === 0;
    const set: GroupSet = (bits & 4) === 0 ? 'service' : (bits & 2) === 0 ? 'team' : 'overall';
    const name = set === 'service' ? String(row.service) : set === 'team' ? String(row.team) : '';
    // Services without a team fall in the team '' group: not a team.
    if (set === 'team' && name === '') continue;
    decoded.push({ set, name, bucket: bucketed ? String(row.bucket) : null, values: row });
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

export interface DayRow {
  service: string;
  day: string;
  deployments: number;
  failed: number;
  rework: number;
}

/** Production deployments per service and local day: every count-based figure adds up from these. */
export async function deploymentDays(scope: QueryScope, bounds: Bounds): Promise<DayRow[]> {
  const result = await scope.client.query({
    query: `SELECT service, toString(toDate(finished_at, {tz:String})) AS day, count() AS deployments,
                   sum(failed) AS failed, sum(rework) AS rework
            FROM ${currentViews.deployments}
            WHERE scope = {scope:String} AND service IN {services:Array(String)}
              AND finished_at >= {since:DateTime64(3, 'UTC')} AND finished_at < {until:DateTime64(3, 'UTC')}
            GROUP BY service, day`,
    query_params: params(scope, bounds),
    format: 'JSONEachRow',
  });
  return (await result.json<DayRow>()).map((row) => ({
    service: row.service,
    day: row.day,
    deployments: Number(row.deployments),
    failed: Number(row.failed),
    rework: Number(row.rework),
  }));
}

/** Failed production attempts (status `failure`): they never went live, so they are deploy failures, not deployments. */
export async function deployFailureDays(scope: QueryScope, bounds: Bounds): Promise<{ service: string; day: string; count: number }[]> {
  const result = await scope.client.query({
    query: `SELECT service, toString(toDate(finished_at, {tz:String})) AS day, count() AS count
            FROM deployments FINAL
            WHERE status = 'failure' AND lower(environment) IN {environments:Array(String)} AND service IN {services:Array(String)}
              AND finished_at >= {since:DateTime64(3, 'UTC')} AND finished_at < {until:DateTime64(3, 'UTC')}
            GROUP BY service, day`,
    query_params: params(scope, bounds),
    format: 'JSONEachRow',
  });
  return (await result.json<{ service: string; day: string; count: number }>()).map((row) => ({ ...row, count: Number(row.count) }));
}

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
