import { benchmarkBands, MINIMUM_SAMPLE } from '../../reports/benchmarks.js';
import type { Benchmark } from '../../reports/types.js';

/**
 * Pieces every panel query is built from. The SQL is generated here, from the same
 * constants and aggregate expressions `dora report` uses (src/reports), never typed into
 * a dashboard by hand: the dashboards in dashboards/ are this module's output.
 */

/** Which dashboard variables narrow the rows (the overview has none of them). */
export interface Narrowing {
  service: boolean;
  team: boolean;
  environment: boolean;
}

export const everything: Narrowing = { service: false, team: false, environment: false };
export const drillDown: Narrowing = { service: true, team: true, environment: true };

/**
 * The report's half-open window [since, until) from the dashboard's time range, to the
 * millisecond. Grafana ends a day-rounded range at 23:59:59.999 (`now/d`, a picked
 * date): that last millisecond belongs to the day, so such an end moves to the next
 * midnight and the window is the same as `dora report --until <next day>`.
 */
export const windowColumns = [
  '$__fromTime_ms AS window_start',
  'if(toUnixTimestamp64Milli($__toTime_ms) % 1000 = 999, $__toTime_ms + toIntervalMillisecond(1), $__toTime_ms) AS window_end',
];

/** The dashboard's time zone (the `tz` variable) for local days, Monday weeks and months. */
export const zoneColumn = '${tz:singlequote} AS tz';

/** Calendar days of the window in the zone (needs `zoneColumn`) (a window across a DST change still counts whole days), like the report. */
export const calendarColumns = [
  'toDate(window_start, tz) AS first_day',
  'toDate(window_end - toIntervalMillisecond(1), tz) AS last_day',
  `(toUnixTimestamp64Milli(window_end) + timeZoneOffset(toTimeZone(window_end, tz)) * 1000
     - toUnixTimestamp64Milli(window_start) - timeZoneOffset(toTimeZone(window_start, tz)) * 1000) / 86400000 AS days`,
  'toUInt64(greatest(dateDiff(\'day\', first_day, last_day) + 1, 0)) AS day_count',
];

export const inWindow = (column: string) => `${column} >= window_start AND ${column} < window_end`;

/** Rows of the chosen production set (derive's `scope`, e.g. `production,prod`). */
export const scopeFilter = 'scope = ${scope:singlequote}';

const serviceFilter = '$__conditionalAll(service IN (${service:singlequote}), $service)';
const teamFilter = '$__conditionalAll(service IN (SELECT service FROM current_service_teams WHERE team IN (${team:singlequote})), $team)';

/** The filters for a derived view; `environment` says how its rows know their environment. */
export function filters(narrowing: Narrowing, environment: 'column' | 'deployment' | 'none'): string[] {
  const list = [scopeFilter];
  if (narrowing.service) list.push(serviceFilter);
  if (narrowing.team) list.push(teamFilter);
  if (narrowing.environment && environment === 'column') list.push('$__conditionalAll(environment IN (${environment:singlequote}), $environment)');
  if (narrowing.environment && environment === 'deployment') {
    list.push(
      `$__conditionalAll(deployment_id IN (SELECT id FROM current_deployments WHERE ${scopeFilter} AND environment IN (\${environment:singlequote})), $environment)`,
    );
  }
  return list;
}

export const where = (conditions: string[]) => conditions.join('\n  AND ');

/** NaN (a quantile over no rows) becomes NULL: Grafana shows "n/a", never 0, like the report's null. */
export const nullIfNaN = (expression: string) => `if(isNaN(${expression}), NULL, ${expression})`;

/** The report's default set first (`dora report --benchmark`, default 2023); object key order would put 2021 first. */
const defaultBenchmark: Benchmark = '2023';
const benchmarks = [defaultBenchmark, ...(Object.keys(benchmarkBands.failureBands) as Benchmark[]).filter((name) => name !== defaultBenchmark)];

/** One multiIf per benchmark set, chosen by the `benchmark` alias (the dashboard variable). */
function perBenchmark(build: (benchmark: Benchmark) => string): string {
  // The report's default set (2023) also answers for a value it does not know.
  const [fallback, ...others] = benchmarks as [Benchmark, ...Benchmark[]];
  if (others.length === 0) return build(fallback);
  return `multiIf(${others.map((benchmark) => `benchmark = '${benchmark}', ${build(benchmark)}`).join(', ')}, ${build(fallback)})`;
}

const bands = (value: string, bounds: number[], operator: '<' | '<=') =>
  `multiIf(${bounds.map((bound, index) => `${value} ${operator} ${bound}, '${['elite', 'high', 'medium'][index]}'`).join(', ')}, 'low')`;

/** The report's leadTimeTier: bands on the median, NULL ("insufficient data") below the minimum sample. */
export const leadTimeTier = (median: string, n: string) =>
  `if(${median} IS NULL OR ${n} < ${MINIMUM_SAMPLE}, NULL, ${perBenchmark((b) => bands(median, benchmarkBands.durationBands[b].leadTime, '<'))})`;

/** The report's restoreTier (both restore figures). */
export const restoreTier = (median: string, n: string) =>
  `if(${median} IS NULL OR ${n} < ${MINIMUM_SAMPLE}, NULL, ${perBenchmark((b) => bands(median, benchmarkBands.durationBands[b].restore, '<'))})`;

/** The report's failureRateTier: inclusive upper bounds. */
export const failureRateTier = (rate: string, n: string) =>
  `if(${rate} IS NULL OR ${n} < ${MINIMUM_SAMPLE}, NULL, ${perBenchmark((b) => bands(rate, benchmarkBands.failureBands[b], '<='))})`;

/**
 * The report's frequencyTier, from deployment days: 2023 elite with 5+ days in the median
 * week, high with 1+, medium with 1+ in the median month; 2021 (DevLake's reading) high
 * with 1+ in the median month, medium with one deployment day per half year on average.
 * A test runs this against the report's function over a grid of inputs.
 */
export function frequencyTier(figures: { deployments: string; weekMedian: string; monthMedian: string; deployDays: string; days: string }): string {
  const { deployments, weekMedian, monthMedian, deployDays, days } = figures;
  return `multiIf(${deployments} < ${MINIMUM_SAMPLE}, NULL, ${weekMedian} >= 5, 'elite', ${perBenchmark((benchmark) =>
    benchmark === '2023'
      ? `multiIf(${weekMedian} >= 1, 'high', ${monthMedian} >= 1, 'medium', 'low')`
      : `multiIf(${monthMedian} >= 1, 'high', (${deployDays} / ${days}) * 182.5 >= 1, 'medium', 'low')`,
  )})`;
}

/** Bands in words for panel descriptions, from the same constants. */
export function bandsText(metric: 'leadTime' | 'restore' | 'failure'): string {
  const hours = (seconds: number) => (seconds % 86400 === 0 ? `${seconds / 86400} d` : `${seconds / 3600} h`);
  return benchmarks
    .map((benchmark) => {
      const list = metric === 'failure' ? benchmarkBands.failureBands[benchmark].map((rate) => `≤ ${rate * 100} %`) : benchmarkBands.durationBands[benchmark][metric].map((bound) => `< ${hours(bound)}`);
      return `${benchmark}: elite ${list[0]}, high ${list[1]}, medium ${list[2]}, else low`;
    })
    .join('; ');
}
