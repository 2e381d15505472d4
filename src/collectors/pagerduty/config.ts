import { z } from 'zod';
import { SeverityFilter } from '../../catalog/severity.js';

const names = z.array(z.string().trim().min(1, 'expected a non-empty name'));

/** `2026-01-01`, an ISO time with a zone, or a number of days back (`90d`). Shared with the Opsgenie collector. */
export const Since = z
  .string()
  .regex(
    /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?|\d+d)$/,
    'expected a date (2026-01-01), an ISO time with a zone, or a number of days back (90d)',
  );

const DAY_MS = 86_400_000;
export const DEFAULT_SINCE_DAYS = 180;

/** The resolved `since` as an ISO time. */
export function resolveSince(since: string | undefined, now: number): string {
  if (since === undefined) return new Date(now - DEFAULT_SINCE_DAYS * DAY_MS).toISOString();
  const days = /^(\d+)d$/.exec(since);
  if (days) return new Date(now - Number(days[1]) * DAY_MS).toISOString();
  return new Date(/T/.test(since) ? since : `${since}T00:00:00Z`).toISOString();
}

/** `sources.pagerduty` in dora.config.json; every key has a `dora collect pagerduty` flag. */
export const PagerDutyConfig = z.strictObject({
  /** Only these PagerDuty services (ids, `P1ABCDE`). Default: every service the key can read. */
  services: names.optional(),
  /** Only incidents of these PagerDuty teams (ids). Default: all. */
  teams: names.optional(),
  ...SeverityFilter.shape,
  /** How far back the first run goes; an earlier value later backfills. Default 180 days. */
  since: Since.optional(),
});
export type PagerDutyConfig = z.infer<typeof PagerDutyConfig>;
