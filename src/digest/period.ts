import { addDays, localDate, mondayOf, startOfDate } from '../reports/zone.js';

/** A calendar week, Monday 00:00 to the next Monday 00:00 in the zone (half-open). */
export interface Week {
  since: number;
  until: number;
  /** `YYYY-MM-DD` of its Monday and Sunday in the zone. */
  monday: string;
  sunday: string;
  tz: string;
}

export function weekStarting(monday: string, tz: string): Week {
  return { since: startOfDate(monday, tz), until: startOfDate(addDays(monday, 7), tz), monday, sunday: addDays(monday, 6), tz };
}

/** The last complete week before `now`: on Monday 09:00 in the zone, the seven days that just ended. */
export function lastWeek(now: number, tz: string): Week {
  return weekStarting(addDays(mondayOf(localDate(now, tz)), -7), tz);
}
