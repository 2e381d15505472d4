import type { Metrics, Report } from '../reports/types.js';

/** The agent's own counters: bounded attributes only (job, source, kind, outcome). */
export const counters = {
  'dora.agent.events_collected': { unit: '{event}', description: 'Canonical events written by collection, by source and kind' },
  'dora.agent.api_calls': { unit: '{request}', description: 'HTTP requests collectors made to their source APIs' },
  'dora.agent.rate_limit_waits': {
    unit: '{wait}',
    description: 'Rate-limited answers that make a collector wait before asking again: 429, or 403 with Retry-After or no quota left',
  },
  'dora.agent.errors': { unit: '{error}', description: 'Jobs that failed, by job and source' },
  'dora.agent.job.runs': { unit: '{run}', description: 'Job runs by job and outcome: ok, failed, or skipped because the previous run was still going' },
  'dora.agent.deployments_seen': { unit: '{deployment}', description: 'New production deployments seen by collection' },
} as const;
export type CounterName = keyof typeof counters;

export const jobDuration = { name: 'dora.agent.job.duration', unit: 's', description: 'How long a job run took' } as const;

interface GaugeSpec {
  unit: string;
  description: string;
  value: (metrics: Metrics) => number | null;
  tier: (metrics: Metrics) => string | null;
}

/** The DORA figures of each service as gauges (DESIGN.md §4), over the last `schedule.figuresDays`. */
export const gauges: Record<string, GaugeSpec> = {
  'dora.deployment_frequency': {
    unit: '{deployment}/wk',
    description: 'Production deployments per week',
    value: (m) => m.deployment_frequency.per_week,
    tier: (m) => m.deployment_frequency.tier,
  },
  'dora.lead_time': {
    unit: 's',
    description: 'Lead time for changes, median',
    value: (m) => m.lead_time.median_seconds,
    tier: (m) => m.lead_time.tier,
  },
  'dora.change_failure_rate': {
    unit: '1',
    description: 'Failed production deployments over all production deployments',
    value: (m) => m.change_failure_rate.rate,
    tier: (m) => m.change_failure_rate.tier,
  },
  'dora.time_to_restore': {
    unit: 's',
    description: 'Time to restore service after an incident, median',
    value: (m) => m.time_to_restore.median_seconds,
    tier: (m) => m.time_to_restore.tier,
  },
  'dora.recovery_time': {
    unit: 's',
    description: 'Failed deployment recovery time, median',
    value: (m) => m.recovery_time.median_seconds,
    tier: (m) => m.recovery_time.tier,
  },
  'dora.rework_rate': {
    unit: '1',
    description: 'Production deployments that were rollbacks or went out during an incident',
    value: (m) => m.rework_rate.rate,
    tier: () => null,
  },
};

export type Attributes = Record<string, string | number | boolean>;

export interface Observation {
  gauge: string;
  value: number;
  attributes: Attributes;
}

/** One observation per service and figure; a figure without data is left out (no data is not 0). */
export function figureObservations(report: Report, teamOf: (service: string) => string | undefined): Observation[] {
  const observations: Observation[] = [];
  for (const [service, metrics] of Object.entries(report.services)) {
    for (const [gauge, spec] of Object.entries(gauges)) {
      const value = spec.value(metrics);
      if (value === null) continue;
      const attributes: Attributes = { 'service.name': service, 'dora.window.days': report.window.days };
      const tier = spec.tier(metrics);
      if (tier) attributes['dora.tier'] = tier;
      const team = teamOf(service);
      if (team) attributes['dora.team'] = team;
      observations.push({ gauge, value, attributes });
    }
  }
  return observations;
}
