import { AgentError, ExitCode } from '../errors.js';
import { addDays, addMonths, isTimeZone, localDate, localTime, startOfDate, zonedToUtc } from './zone.js';

export class UsageError extends AgentError {
  constructor(message: string, suggestion?: string) {
    super('usage', message, { exitCode: ExitCode.usage, ...(suggestion ? { suggestion } : {}) });
  }
}

const RELATIVE = /^(\d+)\s*([hdwm])$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const EXPECTED = 'expected an ISO date (2026-03-01), a time (2026-03-01T10:00, with or without a zone), "now", or a relative span such as 30d, 12w, 6m, 48h';

/** Move back from `from` by a relative span: h exact hours, d/w calendar days, m calendar months, in the zone. */
function goBack(from: number, amount: number, unit: string, timeZone: string): number {
  if (unit === 'h') return from - amount * 3_600_000;
  const local = localTime(from, timeZone);
  const date = localDate(from, timeZone);
  const moved = unit === 'm' ? addMonths(date, -amount) : addDays(date, -(unit === 'w' ? 7 * amount : amount));
  const [year, month, day] = moved.split('-').map(Number) as [number, number, number];
  return zonedToUtc({ ...local, year, month, day }, timeZone);
}

/** One `--since` / `--until` value. A relative span counts back from `anchor`; a time without a zone is read in the zone. */
export function parseTimeArgument(text: string, flag: string, timeZone: string, anchor: number, now: number): number {
  const value = text.trim();
  if (value.toLowerCase() === 'now') return now;
  const relative = RELATIVE.exec(value);
  if (relative) return goBack(anchor, Number(relative[1]), (relative[2] as string).toLowerCase(), timeZone);
  if (DATE.test(value)) {
    const millis = startOfDate(value, timeZone);
    if (localDate(millis, timeZone) === value) return millis;
  }
  const local = LOCAL_TIME.exec(value);
  if (local) {
    const [, year, month, day, hour, minute, second, fraction] = local;
    const fields = {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second ?? 0),
      millisecond: Number((fraction ?? '0').padEnd(3, '0')),
    };
    if (fields.month >= 1 && fields.month <= 12 && fields.day >= 1 && fields.day <= 31 && fields.hour < 24 && fields.minute < 60 && fields.second < 60) {
      return zonedToUtc(fields, timeZone);
    }
  }
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) && value.includes('T')) {
    const millis = Date.parse(value);
    if (!Number.isNaN(millis)) return millis;
  }
  throw new UsageError(`${flag}: ${EXPECTED}; got ${JSON.stringify(text)}`);
}

export interface ReportWindow {
  since: Date;
  until: Date;
}

/**
 * The report window from `--since` / `--until` (half-open). Default: the last 30 days,
 * today included: until the coming local midnight, since 30 calendar days before it.
 * A relative `--since` counts back from the until; a relative `--until` from the default until.
 */
export function resolveWindow(options: { since?: string; until?: string; tz: string; now?: number }): ReportWindow {
  if (!isTimeZone(options.tz)) {
    throw new UsageError(`--tz: unknown time zone ${JSON.stringify(options.tz)}`, 'use an IANA name such as UTC, Europe/Berlin or America/Los_Angeles');
  }
  const now = options.now ?? Date.now();
  const endOfToday = startOfDate(addDays(localDate(now, options.tz), 1), options.tz);
  const until = options.until ? parseTimeArgument(options.until, '--until', options.tz, endOfToday, now) : endOfToday;
  const since = options.since ? parseTimeArgument(options.since, '--since', options.tz, until, now) : goBack(until, 30, 'd', options.tz);
  if (since >= until) {
    throw new UsageError(
      `the window is empty: --since ${new Date(since).toISOString()} is not before --until ${new Date(until).toISOString()}`,
    );
  }
  return { since: new Date(since), until: new Date(until) };
}
