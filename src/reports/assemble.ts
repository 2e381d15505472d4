import { failureRateTier, frequencyTier, leadTimeTier, restoreTier } from './benchmarks.js';
import { groupKey, type BucketCounts, type DeployFigures, type GroupedRow, type GroupSet, type WindowKey } from './queries.js';
import { finite } from './stats.js';
import type { Benchmark, Granularity, Metrics, Series } from './types.js';
import { mondayOf, monthOf } from './zone.js';

type Values = Record<string, unknown>;

/** One group's grouped rows: over its whole window, and per bucket (current window only). */
export interface GroupRows {
  total?: Values;
  buckets: Map<string, Values>;
}

/** Everything the figures of both windows are made from, by `groupKey(window, set, name)`. */
export interface ReportData {
  deployments: Map<string, DeployFigures>;
  lead: Map<string, GroupRows>;
  breakdown: Map<string, GroupRows>;
  restore: Map<string, GroupRows>;
  recovery: Map<string, GroupRows>;
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

/** Grouped rows by group, then by bucket, for constant-time lookups however many services there are. */
export function indexRows(rows: GroupedRow[]): Map<string, GroupRows> {
  const index = new Map<string, GroupRows>();
  for (const row of rows) {
    const key = groupKey(row.window, row.set, row.name);
    let group = index.get(key);
    if (!group) index.set(key, (group = { buckets: new Map() }));
    if (row.bucket === null) group.total = row.values;
    else group.buckets.set(row.bucket, row.values);
  }
  return index;
}

const none: Values = {};
const noCounts: BucketCounts = [0, 0, 0, 0];

/** Whether a service has anything in a window: deployments, failed attempts, changes or incidents. */
export function isActive(data: ReportData, window: WindowKey, service: string): boolean {
  const key = groupKey(window, 'service', service);
  return data.deployments.has(key) || data.lead.get(key)?.total !== undefined || data.restore.get(key)?.total !== undefined;
}

export interface Group {
  window: WindowKey;
  set: GroupSet;
  name: string;
}

const empty: DeployFigures = {
  deployments: 0,
  failed: 0,
  rework: 0,
  failures: 0,
  deployDays: 0,
  weekMedian: 0,
  monthMedian: 0,
  perBucket: new Map(),
};

/** The figures of one group in one window of `days` calendar days. */
export function metricsFor(data: ReportData, benchmark: Benchmark, days: number, group: Group): Metrics {
  const key = groupKey(group.window, group.set, group.name);
  const deployed = data.deployments.get(key) ?? empty;
  const totals = { deployments: deployed.deployments, failed: deployed.failed, rework: deployed.rework, failures: deployed.failures };
  const deployDays = deployed.deployDays;
  const weekMedian = deployed.weekMedian;
  const monthMedian = deployed.monthMedian;
  const lead = data.lead.get(key)?.total ?? none;
  const stages = data.breakdown.get(key)?.total ?? none;
  const restore = data.restore.get(key)?.total ?? none;
  const recovery = data.recovery.get(key)?.total ?? none;
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
      per_day: totals.deployments / days,
      per_week: totals.deployments / (days / 7),
      deploy_days: deployDays,
      deploy_days_per_week_median: weekMedian,
      deploy_days_per_month_median: monthMedian,
      deploy_failures: totals.failures,
      tier: frequencyTier(benchmark, {
        deployments: totals.deployments,
        weekMedian,
        monthMedian,
        deployDays,
        days,
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

/** One value per bucket of the current window, for the sparklines and charts. */
export function seriesFor(data: ReportData, buckets: string[], group: { set: GroupSet; name: string }): Series {
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
  const key = groupKey('current', group.set, group.name);
  const perBucket = (data.deployments.get(key) ?? empty).perBucket;
  const leadRows = data.lead.get(key)?.buckets;
  const restoreRows = data.restore.get(key)?.buckets;
  const recoveryRows = data.recovery.get(key)?.buckets;
  for (const bucket of buckets) {
    const [deployments, deployDays, failed, rework] = perBucket.get(bucket) ?? noCounts;
    const lead = leadRows?.get(bucket) ?? none;
    const [p50, p90] = pair(lead.lead);
    series.deployments.push(deployments);
    series.deploy_days.push(deployDays);
    series.failed.push(failed);
    series.change_failure_rate.push(deployments > 0 ? failed / deployments : null);
    series.rework_rate.push(deployments > 0 ? rework / deployments : null);
    series.lead_time_p50.push(p50);
    series.lead_time_p90.push(p90);
    series.changes.push(Number(lead.changes ?? 0));
    series.time_to_restore_median.push(pair((restoreRows?.get(bucket) ?? none).restore)[0]);
    series.recovery_median.push(finite((recoveryRows?.get(bucket) ?? none).recovery));
  }
  return series;
}
