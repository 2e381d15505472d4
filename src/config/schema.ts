import { z } from 'zod';
import { AlertsSection } from '../alerts/config.js';
import { ScheduleSection } from '../agent/schedule-config.js';
import { HealthSection, TelemetrySection } from '../health/config.js';

const names = z.array(z.string().min(1)).default([]);

/** One entry of the service catalog: what belongs to a service, and who owns it. */
export const ServiceEntry = z.strictObject({
  repos: names,
  /** Globs inside a monorepo (`services/api/**`). */
  paths: names,
  heroku: names,
  pagerduty: names,
  opsgenie: names,
  team: z.string().min(1).optional(),
});
export type ServiceEntry = z.infer<typeof ServiceEntry>;

/** Where the data lives. The password is never read from a file: only from DORA_CLICKHOUSE_PASSWORD. */
export const StoreSection = z.strictObject({
  home: z.string().min(1).optional(),
  url: z.url().optional(),
  username: z.string().optional(),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and underscores').optional(),
  /** A ClickHouse cluster name (server only): the schema goes ON CLUSTER, Replicated behind Distributed. */
  cluster: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and underscores').optional(),
});

/** How the metrics are derived (DESIGN.md §4); `dora report` states the values it used. */
export const MetricsSection = z.strictObject({
  /** An incident is blamed on the latest production deployment of its service at most this long before it. Default 24. */
  attributionWindowHours: z.number().positive().max(24 * 365).default(24),
});

/** `dora.config.json` / `.yaml` (DESIGN.md §6). Each collector validates its own `sources` section. */
export const Config = z.strictObject({
  $schema: z.string().optional(),
  /** Environment names that count as production, compared case-insensitively. Default `production`, `prod`. */
  production: z.array(z.string().min(1)).min(1).default(['production', 'prod']),
  services: z.record(z.string().min(1), ServiceEntry).default({}),
  sources: z.record(z.string(), z.unknown()).default({}),
  store: StoreSection.default({}),
  metrics: MetricsSection.default({ attributionWindowHours: 24 }),
  /** Rollback alerts in chat (src/alerts). */
  alerts: AlertsSection.prefault({}),
  /** Release health: the observation window (src/health). */
  health: HealthSection.prefault({}),
  /** OpenTelemetry traces compared per release (src/health/telemetry). */
  telemetry: TelemetrySection.prefault({}),
  /** When `dora agent` runs each job (src/agent). */
  schedule: ScheduleSection.prefault({}),
});
export type Config = z.infer<typeof Config>;
