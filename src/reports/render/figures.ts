import type { Metrics, Report, Series } from '../types.js';
import { localDate, localTime } from '../zone.js';
import { decimal, duration, percent, plural, tierText, trend, type Kind } from './format.js';

/** One headline figure of a group, ready for any text renderer. */
export interface Figure {
  key: keyof Metrics;
  label: string;
  /** The headline number (seconds, rate, deployments per week), null for no data. */
  value: number | null;
  unit: 'per_week' | 'seconds' | 'ratio';
  text: string;
  detail: string;
  n: number;
  tier: string;
  trend: string;
  series: (number | null)[];
}

function counts(parts: [number, string, string][]): string {
  return parts.filter(([count]) => count > 0).map(([count, one, many]) => plural(count, one, many)).join(', ');
}

/** The five DORA figures (and rework) of one group, with tier, n, trend and series. */
export function figuresOf(metrics: Metrics, previous: Metrics | undefined, series: Series | undefined): Figure[] {
  const df = metrics.deployment_frequency;
  const lt = metrics.lead_time;
  const cfr = metrics.change_failure_rate;
  const ttr = metrics.time_to_restore;
  const rec = metrics.recovery_time;
  const rw = metrics.rework_rate;
  const was = (pick: (m: Metrics) => number | null) => (previous ? pick(previous) : null);
  const make = (figure: Omit<Figure, 'trend'>, kind: Kind, pick: (m: Metrics) => number | null): Figure => ({
    ...figure,
    trend: trend(figure.value, was(pick), kind),
  });
  return [
    make(
      {
        key: 'deployment_frequency',
        label: 'deployment frequency',
        value: df.per_week,
        unit: 'per_week',
        text: `${decimal(df.per_week)} / week`,
        detail: `${plural(df.deployments, 'deployment')} on ${plural(df.deploy_days, 'day')}; median ${decimal(df.deploy_days_per_week_median)} deploy days/week, ${decimal(df.deploy_days_per_month_median)}/month${df.deploy_failures ? `; ${plural(df.deploy_failures, 'failed attempt')}` : ''}`,
        n: df.deployments,
        tier: tierText(df.tier, df.deployments),
        series: series?.deployments ?? [],
      },
      'count',
      (m) => m.deployment_frequency.per_week,
    ),
    make(
      {
        key: 'lead_time',
        label: 'lead time for changes',
        value: lt.median_seconds,
        unit: 'seconds',
        text: lt.median_seconds === null ? 'n/a' : `${duration(lt.median_seconds)} (p90 ${duration(lt.p90_seconds)})`,
        detail: lt.breakdown.pull_requests
          ? `PR stages (median): coding ${duration(lt.breakdown.coding.median_seconds)}, pickup ${duration(lt.breakdown.pickup.median_seconds)}, review ${duration(lt.breakdown.review.median_seconds)}, deploy ${duration(lt.breakdown.deploy.median_seconds)}${lt.breakdown.clamped_stages ? `; ${lt.breakdown.clamped_stages} stages clamped at 0` : ''}`
          : '',
        n: lt.changes,
        tier: tierText(lt.tier, lt.changes),
        series: series?.lead_time_p50 ?? [],
      },
      'duration',
      (m) => m.lead_time.median_seconds,
    ),
    make(
      {
        key: 'change_failure_rate',
        label: 'change failure rate',
        value: cfr.rate,
        unit: 'ratio',
        text: cfr.rate === null ? 'n/a' : `${percent(cfr.rate)} (${cfr.failed}/${cfr.deployments})`,
        detail: '',
        n: cfr.deployments,
        tier: tierText(cfr.tier, cfr.deployments),
        series: series?.change_failure_rate ?? [],
      },
      'rate',
      (m) => m.change_failure_rate.rate,
    ),
    make(
      {
        key: 'time_to_restore',
        label: 'time to restore',
        value: ttr.median_seconds,
        unit: 'seconds',
        text: ttr.median_seconds === null ? 'n/a' : `${duration(ttr.median_seconds)} (p90 ${duration(ttr.p90_seconds)})`,
        detail: counts([
          [ttr.incidents, 'incident', 'incidents'],
          [ttr.open, 'open', 'open'],
          [ttr.invalid, 'invalid (resolved ≤ opened)', 'invalid (resolved ≤ opened)'],
        ]),
        n: ttr.resolved,
        tier: tierText(ttr.tier, ttr.resolved),
        series: series?.time_to_restore_median ?? [],
      },
      'duration',
      (m) => m.time_to_restore.median_seconds,
    ),
    make(
      {
        key: 'recovery_time',
        label: 'failed deployment recovery',
        value: rec.median_seconds,
        unit: 'seconds',
        text: duration(rec.median_seconds),
        detail: rec.failed > rec.recovered ? `${rec.failed - rec.recovered} of ${rec.failed} failed deployments not recovered yet` : '',
        n: rec.recovered,
        tier: tierText(rec.tier, rec.recovered),
        series: series?.recovery_median ?? [],
      },
      'duration',
      (m) => m.recovery_time.median_seconds,
    ),
    make(
      {
        key: 'rework_rate',
        label: 'rework rate',
        value: rw.rate,
        unit: 'ratio',
        text: rw.rate === null ? 'n/a' : `${percent(rw.rate)} (${rw.rework}/${rw.deployments})`,
        detail: '',
        n: rw.deployments,
        tier: '-',
        series: series?.rework_rate ?? [],
      },
      'rate',
      (m) => m.rework_rate.rate,
    ),
  ];
}

export interface Group {
  kind: 'overall' | 'service' | 'team';
  name: string;
  figures: Figure[];
}

/** Overall, then each service, then each team. */
export function groupsOf(report: Report): Group[] {
  const groups: Group[] = [
    { kind: 'overall', name: 'overall', figures: figuresOf(report.overall, report.previous.overall, report.series.overall) },
  ];
  for (const [name, metrics] of Object.entries(report.services)) {
    groups.push({ kind: 'service', name, figures: figuresOf(metrics, report.previous.services[name], report.series.services[name]) });
  }
  for (const [name, metrics] of Object.entries(report.teams)) {
    groups.push({ kind: 'team', name, figures: figuresOf(metrics, report.previous.teams[name], report.series.teams[name]) });
  }
  return groups;
}

/** A window edge as the zone's clock shows it: `2026-03-01`, or `2026-03-01 10:30` when not at midnight. */
export function localEdge(iso: string, tz: string): string {
  const millis = Date.parse(iso);
  const time = localTime(millis, tz);
  const clock = time.hour || time.minute ? ` ${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}` : '';
  return `${localDate(millis, tz)}${clock}`;
}

export function heading(report: Report): string {
  const { window, settings } = report;
  return `DORA report ${localEdge(window.since, settings.tz)} → ${localEdge(window.until, settings.tz)} ${settings.tz} (${decimal(window.days)} days, until excluded) · production: ${report.environment} · benchmark DORA ${report.benchmark}`;
}

export function granularityLabel(report: Report): string {
  return `per ${report.series.granularity}`;
}
