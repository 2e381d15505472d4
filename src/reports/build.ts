import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { deriveMetrics } from '../derive/run.js';
import { productionEnvironments, scopeKey } from '../derive/scope.js';
import { bucketOf, indexRows, metricsFor, seriesFor, type WindowData } from './assemble.js';
import { MINIMUM_SAMPLE } from './benchmarks.js';
import {
  breakdownSpec,
  deployFailureDays,
  deploymentDays,
  groupedAggregate,
  knownServices,
  leadTimeSpec,
  recoverySpec,
  restoreSpec,
  type Bounds,
  type QueryScope,
} from './queries.js';
import type { Benchmark, Granularity, Metrics, Report, WindowInfo } from './types.js';
import { UsageError } from './window.js';
import { addDays, datesIn, isTimeZone, localDate, localTime, wallClockMillis, zonedToUtc } from './zone.js';

export interface ReportOptions {
  /** Half-open window [since, until). */
  since: Date;
  until: Date;
  services?: string[];
  team?: string;
  /** Default '2023'. */
  benchmark?: Benchmark;
  /** IANA zone for calendar buckets (days, Monday weeks, months). Default 'UTC'. */
  tz?: string;
  /** Production environment names; default `config.production`. */
  environments?: string[];
  config: Config;
  /** Called while services are derived (for a progress bar). */
  onProgress?: (done: number, total: number, service: string) => void;
}

function groupBy<T extends { service: string }>(rows: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    if (!grouped.has(row.service)) grouped.set(row.service, []);
    grouped.get(row.service)!.push(row);
  }
  return grouped;
}

/** Calendar days of a window in the zone (a 30-day window across a DST change is still 30). */
const calendarDays = (bounds: Bounds, tz: string) => (wallClockMillis(bounds.until, tz) - wallClockMillis(bounds.since, tz)) / 86_400_000;

/** The window of the same calendar length just before this one. */
function previousBounds(bounds: Bounds, tz: string): Bounds {
  const days = calendarDays(bounds, tz);
  if (!Number.isInteger(days)) return { since: bounds.since - (bounds.until - bounds.since), until: bounds.since };
  const start = localTime(bounds.since, tz);
  const [year, month, day] = addDays(localDate(bounds.since, tz), -days).split('-').map(Number) as [number, number, number];
  return { since: zonedToUtc({ ...start, year, month, day }, tz), until: bounds.since };
}

const granularityFor = (days: number): Granularity => (days <= 14 ? 'day' : days <= 732 ? 'week' : 'month');

async function windowData(scope: QueryScope, bounds: Bounds, granularity: Granularity | null): Promise<WindowData> {
  return {
    dates: datesIn(bounds.since, bounds.until, scope.tz),
    days: calendarDays(bounds, scope.tz),
    deploymentDays: groupBy(await deploymentDays(scope, bounds)),
    failureDays: groupBy(await deployFailureDays(scope, bounds)),
    lead: indexRows(await groupedAggregate(scope, bounds, leadTimeSpec, granularity)),
    breakdown: indexRows(await groupedAggregate(scope, bounds, breakdownSpec, null)),
    restore: indexRows(await groupedAggregate(scope, bounds, restoreSpec, granularity)),
    recovery: indexRows(await groupedAggregate(scope, bounds, recoverySpec, granularity)),
  };
}

/** Which services a report covers: `--service` and `--team` narrow it (both: the intersection). */
export function selectServices(config: Config, options: { services?: string[]; team?: string }): string[] | undefined {
  let selected = options.services && options.services.length > 0 ? [...new Set(options.services)] : undefined;
  if (options.team) {
    const members = Object.entries(config.services)
      .filter(([, entry]) => entry.team === options.team)
      .map(([name]) => name);
    if (members.length === 0) {
      const teams = [...new Set(Object.values(config.services).flatMap((entry) => (entry.team ? [entry.team] : [])))].sort();
      throw new UsageError(
        `--team: no service of team ${JSON.stringify(options.team)} in the service catalog`,
        teams.length ? `teams in the catalog: ${teams.join(', ')}` : 'give services a "team" in the config\'s "services" catalog',
      );
    }
    selected = selected ? selected.filter((service) => members.includes(service)) : members;
  }
  return selected?.sort();
}

/**
 * The DORA report (DESIGN.md §4, §6) for a window: derives what changed since the
 * last run, then reads the derived views. Overall, per service and per team, with the
 * previous equal window for trends and per-bucket series for sparklines and charts.
 */
export async function buildReport(client: ClickHouseClient, options: ReportOptions): Promise<Report> {
  const tz = options.tz ?? 'UTC';
  if (!isTimeZone(tz)) throw new UsageError(`unknown time zone ${JSON.stringify(tz)}`, 'use an IANA name such as UTC or Europe/Berlin');
  const benchmark = options.benchmark ?? '2023';
  const { config } = options;
  const environments = productionEnvironments(config, options.environments);
  const scope = scopeKey(environments);
  const selected = selectServices(config, options);
  await deriveMetrics(client, {
    config,
    environments,
    ...(selected ? { services: selected } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  const services = selected ?? (await knownServices(client, scope, environments));
  const teamOf = new Map(Object.entries(config.services).flatMap(([name, entry]) => (entry.team ? [[name, entry.team] as const] : [])));
  const queryScope: QueryScope = { client, scope, environments, tz, services, teamOf };
  const current: Bounds = { since: options.since.getTime(), until: options.until.getTime() };
  const previous = previousBounds(current, tz);
  const days = calendarDays(current, tz);
  const granularity = granularityFor(days);
  const now = await windowData(queryScope, current, granularity);
  const before = await windowData(queryScope, previous, null);

  const active = (data: WindowData, service: string) =>
    data.deploymentDays.has(service) || data.failureDays.has(service) || data.lead.has(`service|${service}|`) ||
    data.restore.has(`service|${service}|`);
  // Listed: services asked for by name, or with anything in either window.
  const listed = services.filter((service) => options.services?.includes(service) || active(now, service) || active(before, service));
  const teams = [...new Set(listed.flatMap((service) => (teamOf.has(service) ? [teamOf.get(service) as string] : [])))].sort();
  const membersOf = (team: string) => new Set(listed.filter((service) => teamOf.get(service) === team));

  const figures = (data: WindowData) => ({
    overall: metricsFor(data, benchmark, { set: 'overall', name: '', members: null }),
    services: Object.fromEntries(listed.map((service) => [service, metricsFor(data, benchmark, { set: 'service', name: service, members: new Set([service]) })])) as Record<string, Metrics>,
    teams: Object.fromEntries(teams.map((team) => [team, metricsFor(data, benchmark, { set: 'team', name: team, members: membersOf(team) })])) as Record<string, Metrics>,
  });
  const buckets = [...new Set(now.dates.map(bucketOf[granularity]))];
  const info = (bounds: Bounds): WindowInfo => ({
    since: new Date(bounds.since).toISOString(),
    until: new Date(bounds.until).toISOString(),
    days: calendarDays(bounds, tz),
  });
  return {
    window: info(current),
    environment: scope,
    benchmark,
    ...figures(now),
    previous: { window: info(previous), ...figures(before) },
    series: {
      granularity,
      buckets,
      overall: seriesFor(now, buckets, granularity, { set: 'overall', name: '', members: null }),
      services: Object.fromEntries(listed.map((service) => [service, seriesFor(now, buckets, granularity, { set: 'service', name: service, members: new Set([service]) })])),
      teams: Object.fromEntries(teams.map((team) => [team, seriesFor(now, buckets, granularity, { set: 'team', name: team, members: membersOf(team) })])),
    },
    settings: {
      tz,
      attribution_window_hours: config.metrics.attributionWindowHours,
      minimum_sample: MINIMUM_SAMPLE,
      quantiles: 'exact over raw rows, linear interpolation between order statistics (R-7)',
      week_start: 'monday',
    },
    generated_at: new Date().toISOString(),
  };
}
