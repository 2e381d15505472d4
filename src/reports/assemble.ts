import { failureRateTier, frequencyTier, leadTimeTier, restoreTier } from './benchmarks.js';
import type { DayRow, GroupedRow } from './queries.js';
import { finite, median } from './stats.js';
import type { Benchmark, Granularity, Metrics, Series } from './types.js';
import { mondayOf, monthOf } from './zone.js';

/** Everything the figures of one window are made from. */
export interface WindowData {
  /** Local dates of the window, in order. */
  dates: string[];
  days: number;
  /** Per service. */
  deploymentDays: Map<string, DayRow[]>;
  failureDays: Map<string, { service: string; day: string; count: number }[]>;
  /** Grouped rows, indexed with `indexRows`. */
  lead: Map<string, Record<string, unknown>>;
  breakdown: Map<string, Record<string, unknown>>;
  restore: Map<string, Record<string, unknown>>;
  recovery: Map<string, Record<string, unknown>>;
}

export const bucketOf: Record<Granularity, (date: string) => string> = {
  day: (date) => date,
  week: mondayOf,
  month: monthOf,
};

const pair = (value: unknown): [number | null, number | null] => {
  const list = Array.isArray(value) ? value : [];
  return [finite(list[0]), finite(list[1])];
};

type Values = Record<string, unknown>;

/** Grouped rows by `set|name|bucket`, for constant-time lookups however many services there are. */
export function indexRows(rows: GroupedRow[]): Map<string, Values> {
  return new Map(rows.map((row) => [`${row.set}|${row.name}|${row.bucket ?? ''}`, row.values]));
}

const lookup = (rows: Map<string, Values>, set: GroupedRow['set'], name: string, bucket: string | null) =>
  rows.get(`${set}|${name}|${bucket ?? ''}`) ?? {};

interface DayTotal {
  deployments: number;
  failed: number;
  rework: number;
  failures: number;
}

/** Per local date, the group's counts (members null = every service). */
function perDate(data: WindowData, members: ReadonlySet<string> | null): Map<string, DayTotal> {
  const totals = new Map<string, DayTotal>();
  const at = (day: string) => {
    let total = totals.get(day);
    if (!total) totals.set(day, (total = { deployments: 0, failed: 0, rework: 0, failures: 0 }));
    return total;
  };
  const rowsOf = <T>(byService: Map<string, T[]>) =>
    members ? [...members].flatMap((service) => byService.get(service) ?? []) : [...byService.values()].flat();
  for (const row of rowsOf(data.deploymentDays)) {
    const total = at(row.day);
    total.deployments += row.deployments;
    total.failed += row.failed;
    total.rework += row.rework;
  }
  for (const row of rowsOf(data.failureDays)) at(row.day).failures += row.count;
  return totals;
}

function sum(totals: Map<string, DayTotal>, dates?: Iterable<string>) {
  const result = { deployments: 0, failed: 0, rework: 0, failures: 0, days: new Set<string>() };
  for (const date of dates ?? totals.keys()) {
    const total = totals.get(date);
    if (!total) continue;
    result.deployments += total.deployments;
    result.failed += total.failed;
    result.rework += total.rework;
    result.failures += total.failures;
    if (total.deployments > 0) result.days.add(date);
  }
  return result;
}

/** Deployment days per calendar bucket over the window, empty buckets included. */
function daysPerBucket(dates: string[], deployDays: ReadonlySet<string>, bucket: (date: string) => string): number[] {
  const counts = new Map<string, number>();
  for (const date of dates) {
    const key = bucket(date);
    counts.set(key, (counts.get(key) ?? 0) + (deployDays.has(date) ? 1 : 0));
  }
  return [...counts.values()];
}

/** The figures of one group: `members` = its services (null for overall), `set`/`name` its grouped rows. */
export function metricsFor(
  data: WindowData,
  benchmark: Benchmark,
  group: { set: GroupedRow['set']; name: string; members: ReadonlySet<string> | null },
): Metrics {
  const totals = sum(perDate(data, group.members));
  const weekMedian = median(daysPerBucket(data.dates, totals.days, mondayOf)) ?? 0;
  const monthMedian = median(daysPerBucket(data.dates, totals.days, monthOf)) ?? 0;
  const lead = lookup(data.lead, group.set, group.name, null);
  const stages = lookup(data.breakdown, group.set, group.name, null);
  const restore = lookup(data.restore, group.set, group.name, null);
  const recovery = lookup(data.recovery, group.set, group.name, null);
  const changes = Number(lead.changes ?? 0);
  const [leadMedian, leadP90] = pair(lead.lead);
  const resolved = Number(restore.resolved ?? 0);
  const [restoreMedian, restoreP90] = pair(restore.restore);
  const recovered = Number(recovery.recovered ?? 0);
  const recoveryMedian = finite(recovery.recovery);
  const rate = totals.deployments > 0 ? totals.failed / totals.deployments : null;
  const stage = (name: string) => ({ n: Number(stages[`${name}_n`] ?? 0), median_seconds: finite(stages[`${name}_median`]) });
  return {
    deployment_frequency: {
      deployments: totals.deployments,
      per_day: totals.deployments / data.days,
      per_week: totals.deployments / (data.days / 7),
      deploy_days: totals.days.size,
      deploy_days_per_week_median: weekMedian,
      deploy_days_per_month_median: monthMedian,
      deploy_failures: totals.failures,
      tier: frequencyTier(benchmark, {
        deployments: totals.deployments,
        weekMedian,
        monthMedian,
        deployDays: totals.days.size,
        days: data.days,
      }),
    },
    lead_time: {
      changes,
      median_seconds: leadMedian,
      p90_seconds: leadP90,
      tier: leadTimeTier(benchmark, leadMedian, changes),
      breakdown: {
        pull_requests: Number(lead.pull_requests ?? 0),
        coding: stage('coding'),
        pickup: stage('pickup'),
        review: stage('review'),
        deploy: stage('deploy'),
        clamped_stages: Number(stages.clamped ?? 0),
      },
    },
    change_failure_rate: {
      failed: totals.failed,
      deployments: totals.deployments,
      rate,
      tier: failureRateTier(benchmark, rate, totals.deployments),
    },
    time_to_restore: {
      incidents: Number(restore.incidents ?? 0),
      resolved,
      open: Number(restore.open ?? 0),
      invalid: Number(restore.invalid ?? 0),
      median_seconds: restoreMedian,
      p90_seconds: restoreP90,
      tier: restoreTier(benchmark, restoreMedian, resolved),
    },
    recovery_time: {
      failed: Number(recovery.failed_deployments ?? 0),
      recovered,
      median_seconds: recoveryMedian,
      tier: restoreTier(benchmark, recoveryMedian, recovered),
    },
    rework_rate: {
      deployments: totals.deployments,
      rework: totals.rework,
      rate: totals.deployments > 0 ? totals.rework / totals.deployments : null,
    },
  };
}

/** One value per bucket for the sparklines and charts. */
export function seriesFor(
  data: WindowData,
  buckets: string[],
  granularity: Granularity,
  group: { set: GroupedRow['set']; name: string; members: ReadonlySet<string> | null },
): Series {
  const series: Series = {
    deployments: [],
    deploy_days: [],
    failed: [],
    change_failure_rate: [],
    lead_time_p50: [],
    lead_time_p90: [],
    changes: [],
    time_to_restore_median: [],
    recovery_median: [],
    rework_rate: [],
  };
  const datesOf = new Map<string, Set<string>>();
  for (const date of data.dates) {
    const key = bucketOf[granularity](date);
    if (!datesOf.has(key)) datesOf.set(key, new Set());
    datesOf.get(key)!.add(date);
  }
  const totalsByDate = perDate(data, group.members);
  for (const bucket of buckets) {
    const totals = sum(totalsByDate, datesOf.get(bucket) ?? []);
    const lead = lookup(data.lead, group.set, group.name, bucket);
    const [p50, p90] = pair(lead.lead);
    series.deployments.push(totals.deployments);
    series.deploy_days.push(totals.days.size);
    series.failed.push(totals.failed);
    series.change_failure_rate.push(totals.deployments > 0 ? totals.failed / totals.deployments : null);
    series.rework_rate.push(totals.deployments > 0 ? totals.rework / totals.deployments : null);
    series.lead_time_p50.push(p50);
    series.lead_time_p90.push(p90);
    series.changes.push(Number(lead.changes ?? 0));
    series.time_to_restore_median.push(pair(lookup(data.restore, group.set, group.name, bucket).restore)[0]);
    series.recovery_median.push(finite(lookup(data.recovery, group.set, group.name, bucket).recovery));
  }
  return series;
}
