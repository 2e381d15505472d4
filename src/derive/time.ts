import { toClickHouseTime } from '../events/time.js';

/** Epoch milliseconds → the DateTime64(3, 'UTC') text ClickHouse reads. */
export const chTime = (millis: number) => toClickHouseTime(new Date(millis).toISOString());
export const chTimeOrNull = (millis: number | null) => (millis === null ? null : chTime(millis));
export const seconds = (millis: number) => millis / 1000;

/** `2 h 5 min`, `3.5 d`: short human durations for reasons and explanations. */
export function humanDuration(totalSeconds: number): string {
  const abs = Math.abs(totalSeconds);
  const sign = totalSeconds < 0 ? '-' : '';
  if (Math.round(abs) < 60) return `${sign}${Math.round(abs)} s`;
  // Round to whole minutes before splitting, so 2 h 59.6 min reads "3 h", never "2 h 60 min".
  const totalMinutes = Math.round(abs / 60);
  if (totalMinutes < 60) return `${sign}${totalMinutes} min`;
  // Hours up to two days: "30 h" reads better than "1.3 d".
  if (abs < 172800) {
    const hours = Math.floor(totalMinutes / 60);
    const minutes = totalMinutes % 60;
    return minutes ? `${sign}${hours} h ${minutes} min` : `${sign}${hours} h`;
  }
  const days = abs / 86400;
  return `${sign}${days >= 10 ? Math.round(days) : Number(days.toFixed(1))} d`;
}
