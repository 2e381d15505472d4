import { toClickHouseTime } from '../events/time.js';

/** Epoch milliseconds → the DateTime64(3, 'UTC') text ClickHouse reads. */
export const chTime = (millis: number) => toClickHouseTime(new Date(millis).toISOString());
export const chTimeOrNull = (millis: number | null) => (millis === null ? null : chTime(millis));
export const seconds = (millis: number) => millis / 1000;

/** `2 h 5 min`, `3.5 d`: short human durations for reasons and explanations. */
export function humanDuration(totalSeconds: number): string {
  const abs = Math.abs(totalSeconds);
  const sign = totalSeconds < 0 ? '-' : '';
  if (abs < 60) return `${sign}${Math.round(abs)} s`;
  if (abs < 3600) return `${sign}${Math.round(abs / 60)} min`;
  // Hours up to two days: "30 h" reads better than "1.3 d".
  if (abs < 172800) {
    const hours = Math.floor(abs / 3600);
    const minutes = Math.round((abs - hours * 3600) / 60);
    return minutes ? `${sign}${hours} h ${minutes} min` : `${sign}${hours} h`;
  }
  const days = abs / 86400;
  return `${sign}${days >= 10 ? Math.round(days) : Number(days.toFixed(1))} d`;
}
