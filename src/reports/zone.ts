/**
 * Calendar arithmetic in an IANA time zone with the platform's Intl data: enough for
 * report windows and calendar buckets (Monday weeks, months) without a date library.
 * Dates are `YYYY-MM-DD` strings, the same text ClickHouse's `toDate(t, tz)` gives.
 */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** True for a zone name the platform knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(millis: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(millis))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
    millisecond: ((millis % 1000) + 1000) % 1000,
  };
}

/** The zone's clock reading at `millis`, as if it were UTC: differences of these are wall-clock durations. */
export const wallClockMillis = (millis: number, timeZone: string) => wallClock(localTime(millis, timeZone));

const wallClock = (time: LocalTime) =>
  Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second, time.millisecond);

/** The instant at which the zone's clock shows `time` (the later reading in a DST gap, the earlier in an overlap). */
export function zonedToUtc(time: LocalTime, timeZone: string): number {
  const guess = wallClock(time);
  const first = guess - (wallClock(localTime(guess, timeZone)) - guess);
  return guess - (wallClock(localTime(first, timeZone)) - first);
}

export const localDate = (millis: number, timeZone: string) => {
  const time = localTime(millis, timeZone);
  return formatDate(time.year, time.month, time.day);
};

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const formatDate = (year: number, month: number, day: number) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

const parseDate = (date: string) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day };
};

export function addDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  const moved = new Date(Date.UTC(year, month - 1, day + days));
  return formatDate(moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate());
}

/** Same day of month, clamped to the month's last day (31 March - 1 month = 28/29 February). */
export function addMonths(date: string, months: number): string {
  const { year, month, day } = parseDate(date);
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return formatDate(first.getUTCFullYear(), first.getUTCMonth() + 1, Math.min(day, last));
}

/** Monday of the date's week (ISO weeks start on Monday, like ClickHouse's `toMonday`). */
export function mondayOf(date: string): string {
  const { year, month, day } = parseDate(date);
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

export const monthOf = (date: string) => `${date.slice(0, 7)}-01`;

/** Local midnight at the start of `date`. */
export function startOfDate(date: string, timeZone: string): number {
  const { year, month, day } = parseDate(date);
  return zonedToUtc({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
}

/** Whole calendar days between two dates (`to` - `from`). */
export function daysBetween(from: string, to: string): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/** The dates covered by the half-open window [since, until), in the zone. */
export function datesIn(since: number, until: number, timeZone: string): string[] {
  if (until <= since) return [];
  const dates: string[] = [];
  const last = localDate(until - 1, timeZone);
  for (let date = localDate(since, timeZone); date <= last; date = addDays(date, 1)) dates.push(date);
  return dates;
}
