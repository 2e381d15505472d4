import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { isTimeZone } from '../reports/zone.js';

/**
 * A cron expression as node-cron reads it: five fields, or six with seconds first
 * (`0,30 * * * * *`: every 30 s). Day of month and day of week are combined with AND, not cron's OR.
 */
export const CronExpression = z.string().superRefine((value, ctx) => {
  const result = validateDetailed(value);
  if (!result.valid) {
    const detail = result.errors.map((error) => `${error.field}: ${error.message}`).join('; ');
    ctx.addIssue({ code: 'custom', message: `expected a cron expression such as "*/10 * * * *" (${detail || 'unreadable'})` });
  }
});

/** A job's schedule, or `false` to turn the job off. */
const Slot = z.union([CronExpression, z.literal(false)]);

/** `dora agent` (DESIGN.md §6): when each job runs, in one time zone. */
export const ScheduleSection = z.strictObject({
  /** IANA zone the expressions and the digest's week are read in. Default `UTC`. */
  timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
  /** Collection of every configured source, each on its own. Default every 10 minutes. */
  collect: Slot.default('*/10 * * * *'),
  /** A source's own schedule instead of `collect` (`{ "github": "0 * * * *" }`). */
  sources: z.record(z.string().min(1), Slot).default({}),
  /** Release checks and rollback alerts (`dora check`). Default every 5 minutes. */
  check: Slot.default('*/5 * * * *'),
  /** The weekly digest, for the week before. Default Monday 09:00. */
  digest: Slot.default('0 9 * * MON'),
  /** A directory the digest is also written to as markdown (`dora-digest-<monday>.md`). */
  digestDir: z.string().min(1).optional(),
  /** DORA figures for the OpenTelemetry gauges, when metrics are exported. Default every 15 minutes. */
  figures: Slot.default('*/15 * * * *'),
  /** Days the gauges' figures cover, ending now. Default 30. */
  figuresDays: z.number().int().positive().max(366).default(30),
});
export type ScheduleSection = z.infer<typeof ScheduleSection>;
