/** The report (DESIGN.md §6): the stable JSON other tools read, plus what the renderers draw. */

export type Tier = 'elite' | 'high' | 'medium' | 'low';
export type Benchmark = '2023' | '2021';

export interface StageFigure {
  n: number;
  median_seconds: number | null;
}

export interface LeadTimeBreakdown {
  /** PR changes (lone commits have no stages). */
  pull_requests: number;
  coding: StageFigure;
  pickup: StageFigure;
  review: StageFigure;
  deploy: StageFigure;
  /** Stages held at zero because their raw time was negative (rebased, amended, clock skew). */
  clamped_stages: number;
}

/** `M` of DESIGN.md §6. Durations in seconds; a figure without data is null, never 0. */
export interface Metrics {
  deployment_frequency: {
    deployments: number;
    per_day: number;
    per_week: number;
    deploy_days: number;
    deploy_days_per_week_median: number;
    deploy_days_per_month_median: number;
    deploy_failures: number;
    tier: Tier | null;
  };
  lead_time: {
    changes: number;
    median_seconds: number | null;
    p90_seconds: number | null;
    tier: Tier | null;
    breakdown: LeadTimeBreakdown;
  };
  change_failure_rate: { failed: number; deployments: number; rate: number | null; tier: Tier | null };
  time_to_restore: {
    incidents: number;
    resolved: number;
    open: number;
    invalid: number;
    median_seconds: number | null;
    p90_seconds: number | null;
    tier: Tier | null;
  };
  recovery_time: { failed: number; recovered: number; median_seconds: number | null; tier: Tier | null };
  rework_rate: { deployments: number; rework: number; rate: number | null };
}

export interface WindowInfo {
  since: string;
  until: string;
  /** Calendar days in the report's time zone. */
  days: number;
}

export type Granularity = 'day' | 'week' | 'month';

/** One value per bucket of `Report.series.buckets`. */
export interface Series {
  deployments: number[];
  deploy_days: number[];
  failed: number[];
  change_failure_rate: (number | null)[];
  lead_time_p50: (number | null)[];
  lead_time_p90: (number | null)[];
  changes: number[];
  time_to_restore_median: (number | null)[];
  recovery_median: (number | null)[];
  rework_rate: (number | null)[];
}

export interface Report {
  window: WindowInfo;
  /** The production environment names the figures use (`production,prod`). */
  environment: string;
  benchmark: Benchmark;
  overall: Metrics;
  services: Record<string, Metrics>;
  teams: Record<string, Metrics>;
  /** The same figures over the previous window of equal length, for trends. */
  previous: { window: WindowInfo; overall: Metrics; services: Record<string, Metrics>; teams: Record<string, Metrics> };
  series: {
    granularity: Granularity;
    /** Start date of each bucket in the time zone (Monday for weeks). */
    buckets: string[];
    overall: Series;
    services: Record<string, Series>;
    teams: Record<string, Series>;
  };
  settings: {
    tz: string;
    attribution_window_hours: number;
    minimum_sample: number;
    quantiles: string;
    week_start: 'monday';
  };
  generated_at: string;
}
