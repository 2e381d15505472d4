import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { buildReport } from '../reports/build.js';
import { figuresOf, type Figure } from '../reports/render/figures.js';
import type { Metrics, Report, Tier } from '../reports/types.js';
import { addDays } from '../reports/zone.js';
import { lastWeek, weekStarting, type Week } from './period.js';

export interface DigestGroup {
  kind: 'overall' | 'team' | 'service';
  name: string;
  /** A team's services that were active in either week. */
  services: string[];
  figures: Figure[];
}

export interface TierChange {
  kind: DigestGroup['kind'];
  name: string;
  metric: string;
  from: Tier;
  to: Tier;
  better: boolean;
}

export interface Digest {
  week: Week;
  previous: Week;
  environment: string;
  benchmark: string;
  overall: DigestGroup;
  teams: DigestGroup[];
  services: DigestGroup[];
  tierChanges: TierChange[];
  /** False when neither week had a deployment, change or incident: nothing is sent. */
  newsworthy: boolean;
  report: Report;
}

const RANK: Record<Tier, number> = { elite: 3, high: 2, medium: 1, low: 0 };
const TIERED = ['deployment_frequency', 'lead_time', 'change_failure_rate', 'time_to_restore', 'recovery_time'] as const;

/** Anything happened: a deployment (or a failed attempt), a change shipped, an incident opened. */
export function hasActivity(metrics: Metrics): boolean {
  return metrics.deployment_frequency.deployments + metrics.deployment_frequency.deploy_failures + metrics.lead_time.changes + metrics.time_to_restore.incidents > 0;
}

/** Tiers that moved between the weeks; a figure with no tier in either week (too few rows) is not a change. */
export function tierChanges(kind: DigestGroup['kind'], name: string, now: Metrics, before: Metrics | undefined): TierChange[] {
  if (!before) return [];
  const changes: TierChange[] = [];
  for (const key of TIERED) {
    const from = before[key].tier;
    const to = now[key].tier;
    if (from && to && from !== to) {
      const label = figuresOf(now, undefined, undefined).find((figure) => figure.key === key)?.label ?? key;
      changes.push({ kind, name, metric: label, from, to, better: RANK[to] > RANK[from] });
    }
  }
  return changes;
}

/** The weekly digest: last week's report per team and service, against the week before. */
export async function buildDigest(client: ClickHouseClient, options: { config: Config; now: number; tz?: string; week?: Week }): Promise<Digest> {
  const tz = options.tz ?? options.config.schedule.timezone;
  const week = options.week ?? lastWeek(options.now, tz);
  const report = await buildReport(client, { config: options.config, since: new Date(week.since), until: new Date(week.until), tz });
  // buildReport compares with the window of the same calendar length just before: the week before.
  const previous = weekStarting(addDays(week.monday, -7), tz);

  const group = (kind: DigestGroup['kind'], name: string, now: Metrics, before: Metrics | undefined, services: string[] = []): DigestGroup => ({
    kind,
    name,
    services,
    figures: figuresOf(now, before, undefined),
  });
  const teamServices = (team: string) => Object.keys(report.services).filter((service) => options.config.services[service]?.team === team);
  const overall = group('overall', 'overall', report.overall, report.previous.overall);
  const teams = Object.entries(report.teams).map(([name, metrics]) => group('team', name, metrics, report.previous.teams[name], teamServices(name)));
  const services = Object.entries(report.services).map(([name, metrics]) => group('service', name, metrics, report.previous.services[name]));
  const changes = [
    ...tierChanges('overall', 'overall', report.overall, report.previous.overall),
    ...Object.entries(report.teams).flatMap(([name, metrics]) => tierChanges('team', name, metrics, report.previous.teams[name])),
    ...Object.entries(report.services).flatMap(([name, metrics]) => tierChanges('service', name, metrics, report.previous.services[name])),
  ];
  return {
    week,
    previous,
    environment: report.environment,
    benchmark: report.benchmark,
    overall,
    teams,
    services,
    tierChanges: changes,
    newsworthy: hasActivity(report.overall) || hasActivity(report.previous.overall),
    report,
  };
}
