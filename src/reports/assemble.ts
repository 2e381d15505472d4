import { failureRateTier, frequencyTier, leadTimeTier, restoreTier } from './benchmarks.js';
import { groupKey, type DeployFigures, type GroupAggregates, type GroupSet, type WindowKey } from './queries.js';
import { finite } from './stats.js';
import type { Benchmark, Granularity, Metrics, Series } from './types.js';
import { mondayOf, monthOf } from './zone.js';

type Values = Record<string, unknown>;

/** Everything the figures of both windows are made from, by `groupKey(window, set, name)`. */
export interface ReportData {
  deployments: Map<string, DeployFigures>;
  /** Lead time and the PR stages (one scan of the changes). */
  lead: Map<string, GroupAggregates>;
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
  return data.deployments.has(key) || data.lead.has(key) || data.restore.has(key);
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
  const restore = data.restore.get(key)?.total ?? none;
  const recovery = data.recovery.get(key)?.total ?? none;
  const changes = Number(lead.changes ?? 0);
  const [leadMedian, leadP90] = pair(lead.lead);
  const resolved = Number(restore.resolved ?? 0);
  const [restoreMedian, restoreP90] = pair(restore.restore);
  const recovered = Number(recovery.recovered ?? 0);
  const recoveryMedian = finite(recovery.recovery);
  const rate = totals.deployments > 0 ? totals.failed / totals.deployments : null;
  const stage = (name: string) => ({ n: Number(lead[`${name}_n`] ?? 0), median_seconds: finite(lead[`${name}_median`]) });
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
        clamped_stages: Number(lead.clamped ?? 0),
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

const seriesKeys = [
  'deployments',
  'deploy_days',
  'failed',
  'change_failure_rate',
  'lead_time_p50',
  'lead_time_p90',
  'changes',
  'time_to_restore_median',
  'recovery_median',
  'rework_rate',
] as const satisfies readonly (keyof Series)[];
/** Counts are 0 in an empty bucket; rates, quantiles and medians are null. */
const countKeys = new Set<keyof Series>(['deployments', 'deploy_days', 'failed', 'changes']);

/** A rate per bucket: `part ÷ whole`, null where `whole` is 0. */
function rates(part: readonly number[], whole: readonly number[]): (number | null)[] {
  const out = new Array<number | null>(whole.length);
  for (let at = 0; at < whole.length; at++) out[at] = (whole[at] as number) > 0 ? (part[at] as number) / (whole[at] as number) : null;
  return out;
}

/** Every other value of a flat list of pairs: `offset` 0 the first of each pair, 1 the second. */
function everyOther(pairs: readonly unknown[], offset: 0 | 1): (number | null)[] {
  const out = new Array<number | null>(pairs.length >> 1);
  for (let at = 0; at < out.length; at++) out[at] = pairs[2 * at + offset] as number | null;
  return out;
}

/**
 * One value per bucket of the current window, for the sparklines and charts, of every group.
 * Each source's rows come from the engine as one array per group and bucket order (numbers,
 * null for an empty quantile), kept as they are while the engine runs the next query; a
 * group's series is put together when asked for.
 */
export class SeriesBook {
  private readonly parts = new Map<string, Partial<Series>>();

  constructor(private readonly buckets: number) {}

  /** A group's series; zeros and nulls where no source had rows. */
  of(set: GroupSet, name: string): Series {
    const part = this.parts.get(groupKey('current', set, name)) ?? {};
    const series = {} as Record<keyof Series, (number | null)[]>;
    for (const key of seriesKeys) series[key] = part[key] ?? new Array<number | null>(this.buckets).fill(countKeys.has(key) ? 0 : null);
    return series as Series;
  }

  /** A group's values from one source: only a whole series (the engine answers with one value per bucket). */
  private put(key: string, values: Partial<Series>): void {
    let part = this.parts.get(key);
    if (!part) this.parts.set(key, (part = {}));
    for (const [name, list] of Object.entries(values) as [keyof Series, (number | null)[]][]) {
      if (list.length !== this.buckets) throw new Error(`${name} of ${key}: ${list.length} values for ${this.buckets} buckets`);
      (part as Record<string, unknown>)[name] = list;
    }
  }

  addDeployments(figures: ReadonlyMap<string, DeployFigures>): void {
    for (const [key, { perBucket }] of figures) {
      if (!key.startsWith('current|')) continue;
      const { deployments, deployDays, failed, rework } = perBucket;
      this.put(key, {
        deployments,
        deploy_days: deployDays,
        failed,
        change_failure_rate: rates(failed, deployments),
        rework_rate: rates(rework, deployments),
      });
    }
  }

  addLead(groups: ReadonlyMap<string, GroupAggregates>): void {
    for (const [key, { perBucket }] of groups) {
      if (!perBucket) continue;
      // Two quantiles per bucket, one after the other: p50, p90.
      const lead = perBucket.lead as unknown[];
      this.put(key, { changes: perBucket.changes as number[], lead_time_p50: everyOther(lead, 0), lead_time_p90: everyOther(lead, 1) });
    }
  }

  addRestore(groups: ReadonlyMap<string, GroupAggregates>): void {
    for (const [key, { perBucket }] of groups) {
      if (perBucket) this.put(key, { time_to_restore_median: perBucket.restore_median as (number | null)[] });
    }
  }

  addRecovery(groups: ReadonlyMap<string, GroupAggregates>): void {
    for (const [key, { perBucket }] of groups) {
      if (perBucket) this.put(key, { recovery_median: perBucket.recovery as (number | null)[] });
    }
  }
}
