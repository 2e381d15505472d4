import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { deriveMetrics } from '../derive/run.js';
import { productionEnvironments, scopeKey } from '../derive/scope.js';
import { bucketOf, isActive, metricsFor, SeriesBook, servicesIn, type ReportData } from './assemble.js';
import { MINIMUM_SAMPLE } from './benchmarks.js';
import {
  breakdownSpec,
  deploymentFigures,
  groupedAggregate,
  leadTimeSpec,
  mergedSpecs,
  recoverySpec,
  restoreSpec,
  type Bounds,
  type QueryScope,
  type WindowKey,
  type Windows,
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

/** Distinct calendar buckets of a window's local dates. */
const bucketCount = (dates: string[], bucket: (date: string) => string) => new Set(dates.map(bucket)).size;

/**
 * Both windows' figures: one query per view, each scanning it once for both windows. The
 * engine runs them one after the other; each one's series are filled in while the next runs.
 */
async function reportData(scope: QueryScope, windows: Windows, granularity: Granularity): Promise<{ data: ReportData; series: SeriesBook }> {
  const series = new SeriesBook(windows.buckets.length);
  const filled = <T>(rows: Promise<T>, fill: (rows: T) => void) =>
    rows.then((value) => {
      fill(value);
      return value;
    });
  const [deployments, lead, restore, recovery] = await Promise.all([
    filled(deploymentFigures(scope, windows, granularity), (rows) => series.addDeployments(rows)),
    filled(groupedAggregate(scope, windows, mergedSpecs(leadTimeSpec, breakdownSpec), granularity), (rows) => series.addLead(rows)),
    filled(groupedAggregate(scope, windows, restoreSpec, granularity), (rows) => series.addRestore(rows)),
    filled(groupedAggregate(scope, windows, recoverySpec, granularity), (rows) => series.addRecovery(rows)),
  ]);
  return { data: { deployments, lead, restore, recovery }, series };
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

  const teamOf = new Map(Object.entries(config.services).flatMap(([name, entry]) => (entry.team ? [[name, entry.team] as const] : [])));
  const queryScope: QueryScope = { client, scope, environments, tz, ...(selected ? { services: selected } : {}), teamOf };
  const current: Bounds = { since: options.since.getTime(), until: options.until.getTime() };
  const previous = previousBounds(current, tz);
  const days = calendarDays(current, tz);
  const granularity = granularityFor(days);
  const dates = { current: datesIn(current.since, current.until, tz), previous: datesIn(previous.since, previous.until, tz) };
  const buckets = [...new Set(dates.current.map(bucketOf[granularity]))];
  const windows: Windows = {
    previous,
    current,
    buckets,
    firstDays: { previous: dates.previous[0] ?? localDate(previous.since, tz), current: dates.current[0] ?? localDate(current.since, tz) },
    weeks: { previous: bucketCount(dates.previous, bucketOf.week), current: bucketCount(dates.current, bucketOf.week) },
    months: { previous: bucketCount(dates.previous, bucketOf.month), current: bucketCount(dates.current, bucketOf.month) },
  };
  const { data, series } = await reportData(queryScope, windows, granularity);

  // Listed: services asked for by name, or with anything in either window (every such service has figures).
  const named = new Set(options.services ?? []);
  const services = selected ?? servicesIn(data);
  const listed = services.filter((service) => named.has(service) || isActive(data, 'current', service) || isActive(data, 'previous', service));
  const teams = [...new Set(listed.flatMap((service) => (teamOf.has(service) ? [teamOf.get(service) as string] : [])))].sort();

  const figures = (window: WindowKey) => {
    const windowDays = calendarDays(window === 'current' ? current : previous, tz);
    return {
      overall: metricsFor(data, benchmark, windowDays, { window, set: 'overall', name: '' }),
      services: Object.fromEntries(listed.map((service) => [service, metricsFor(data, benchmark, windowDays, { window, set: 'service', name: service })])) as Record<string, Metrics>,
      teams: Object.fromEntries(teams.map((team) => [team, metricsFor(data, benchmark, windowDays, { window, set: 'team', name: team })])) as Record<string, Metrics>,
    };
  };
  const info = (bounds: Bounds): WindowInfo => ({
    since: new Date(bounds.since).toISOString(),
    until: new Date(bounds.until).toISOString(),
    days: calendarDays(bounds, tz),
  });
  return {
    window: info(current),
    environment: scope,
    benchmark,
    ...figures('current'),
    previous: { window: info(previous), ...figures('previous') },
    series: {
      granularity,
      buckets,
      overall: series.of('overall', ''),
      services: Object.fromEntries(listed.map((service) => [service, series.of('service', service)])),
      teams: Object.fromEntries(teams.map((team) => [team, series.of('team', team)])),
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
