import { failureRateTier, frequencyTier, leadTimeTier, restoreTier } from './benchmarks.js';
import { groupKey, type DeployFigures, type GroupAggregates, type GroupSet, type WindowKey } from './queries.js';
import { finite } from './stats.js';
import type { Benchmark, Granularity, Metrics, Series } from './types.js';
import { mondayOf, monthOf } from './zone.js';

type Values = Record<string, unknown>;

/** Everything the figures of both windows are made from, by `groupKey(window, set, name)`. */
export interface ReportData {
  deployments: Map<string, DeployFigures>;
  lead: Map<string, GroupAggregates>;
  breakdown: Map<string, GroupAggregates>;
  restore: Map<string, GroupAggregates>;
  recovery: Map<string, GroupAggregates>;
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

const none: Values = {};

/** Whether a service has anything in a window: deployments, failed attempts, changes or incidents. */
export function isActive(data: ReportData, window: WindowKey, service: string): boolean {
  const key = groupKey(window, 'service', service);
  return data.deployments.has(key) || data.lead.get(key)?.total !== undefined || data.restore.get(key)?.total !== undefined;
}

/** Every service named in the figures of either window, in order. */
export function servicesIn(data: ReportData): string[] {
  const services = new Set<string>();
  for (const figures of [data.deployments, data.lead, data.restore]) {
    for (const key of figures.keys()) {
      const name = /^\w+\|service\|(.*)$/s.exec(key)?.[1];
      if (name !== undefined) services.add(name);
    }
  }
  return [...services].sort();
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
  perBucket: { deployments: [], deployDays: [], failed: [], rework: [] },
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

function emptySeries(buckets: number): Series {
  const zeros = () => new Array<number>(buckets).fill(0);
  const nulls = () => new Array<number | null>(buckets).fill(null);
  return {
    deployments: zeros(),
    deploy_days: zeros(),
    failed: zeros(),
    change_failure_rate: nulls(),
    lead_time_p50: nulls(),
    lead_time_p90: nulls(),
    changes: zeros(),
    time_to_restore_median: nulls(),
    recovery_median: nulls(),
    rework_rate: nulls(),
  };
}

/**
 * One value per bucket of the current window, for the sparklines and charts, of every group.
 * Filled source by source as each query's rows arrive, while the engine runs the next query.
 */
export class SeriesBook {
  private readonly series = new Map<string, Series>();

  constructor(private readonly buckets: number) {}

  /** A group's series; all zeros and nulls for a group without rows. */
  of(set: GroupSet, name: string): Series {
    return this.series.get(groupKey('current', set, name)) ?? emptySeries(this.buckets);
  }

  private at(key: string): Series {
    let found = this.series.get(key);
    if (!found) this.series.set(key, (found = emptySeries(this.buckets)));
    return found;
  }

  /** A group's values per bucket (empty or as long as the series): each through `value`, at its place. */
  private fill(values: readonly unknown[] | undefined, into: (number | null)[], value: (item: unknown, at: number) => number | null): void {
    if (!values) return;
    for (let at = 0; at < Math.min(values.length, this.buckets); at++) into[at] = value(values[at], at);
  }

  addDeployments(figures: ReadonlyMap<string, DeployFigures>): void {
    for (const [key, { perBucket }] of figures) {
      if (!key.startsWith('current|') || perBucket.deployments.length === 0) continue;
      const series = this.at(key);
      const { deployments, deployDays, failed, rework } = perBucket;
      series.deployments = deployments.slice(0, this.buckets);
      series.deploy_days = deployDays.slice(0, this.buckets);
      series.failed = failed.slice(0, this.buckets);
      const rateOf = (counts: number[]) => (_: unknown, at: number) => {
        const total = deployments[at] ?? 0;
        return total > 0 ? (counts[at] ?? 0) / total : null;
      };
      this.fill(deployments, series.change_failure_rate, rateOf(failed));
      this.fill(deployments, series.rework_rate, rateOf(rework));
    }
  }

  addLead(groups: ReadonlyMap<string, GroupAggregates>): void {
    for (const [key, { perBucket }] of groups) {
      if (!perBucket) continue;
      const series = this.at(key);
      this.fill(perBucket.changes, series.changes, (count) => Number(count ?? 0));
      // Two quantiles per bucket, one after the other: p50, p90.
      const lead = perBucket.lead ?? [];
      this.fill(perBucket.changes, series.lead_time_p50, (_, at) => finite(lead[2 * at]));
      this.fill(perBucket.changes, series.lead_time_p90, (_, at) => finite(lead[2 * at + 1]));
    }
  }

  addRestore(groups: ReadonlyMap<string, GroupAggregates>): void {
    for (const [key, { perBucket }] of groups) {
      if (!perBucket) continue;
      this.fill(perBucket.restore_median, this.at(key).time_to_restore_median, finite);
    }
  }

  addRecovery(groups: ReadonlyMap<string, GroupAggregates>): void {
    for (const [key, { perBucket }] of groups) {
      if (!perBucket) continue;
      this.fill(perBucket.recovery, this.at(key).recovery_median, finite);
    }
  }
}
