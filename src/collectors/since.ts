import { z } from 'zod';

/** `--since`: `2026-01-01`, an ISO time with a zone, or a number of days back (`90d`). Shared by the API collectors. */
export const Since = z
  .string()
  .regex(
    /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?|\d+d)$/,
    'expected a date (2026-01-01), an ISO time with a zone, or a number of days back (90d)',
  );

const DAY_MS = 86_400_000;
/** How far back a first run goes without `--since`. */
export const DEFAULT_SINCE_DAYS = 180;

/** The resolved `since` as an ISO time. */
export function resolveSince(since: string | undefined, now: number): string {
  if (since === undefined) return new Date(now - DEFAULT_SINCE_DAYS * DAY_MS).toISOString();
  const days = /^(\d+)d$/.exec(since);
  if (days) return new Date(now - Number(days[1]) * DAY_MS).toISOString();
  return new Date(/T/.test(since) ? since : `${since}T00:00:00Z`).toISOString();
}
