import { humanDuration } from '../../derive/time.js';
import type { Tier } from '../types.js';

export const duration = (value: number | null) => (value === null ? 'n/a' : humanDuration(value));

export function percent(rate: number | null): string {
  if (rate === null) return 'n/a';
  const value = rate * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} %`;
}

/** `1 incident`, `2 incidents`. */
export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function decimal(value: number, digits = 2): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(digits)));
}

/** "insufficient data" when there are rows but fewer than the minimum; "n/a" when there are none. */
export function tierText(tier: Tier | null, n: number, ranked = true): string {
  if (!ranked) return '-';
  if (tier) return tier;
  return n === 0 ? 'n/a' : 'insufficient data';
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A sparkline: one block per bucket scaled to the largest value; a gap where there is no data. */
export function sparkline(values: readonly (number | null)[], width = 26): string {
  const shown = values.slice(-width);
  const present = shown.filter((value): value is number => value !== null);
  const top = Math.max(0, ...present);
  return shown
    .map((value) => {
      if (value === null) return ' ';
      if (top === 0) return BLOCKS[0];
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.round((value / top) * (BLOCKS.length - 1)))];
    })
    .join('');
}

export type Kind = 'count' | 'duration' | 'rate' | 'per_week';

/** The change against the previous window: "▲ +3 (+20 %)", "▼ -2 h", "▲ +4.5 pp"; "new" / "n/a" without a value to compare. */
export function trend(current: number | null, previous: number | null, kind: Kind): string {
  if (current === null) return 'n/a';
  if (previous === null) return 'new';
  const delta = current - previous;
  if (Math.abs(delta) < 1e-9) return '= same';
  const arrow = delta > 0 ? '▲' : '▼';
  const sign = delta > 0 ? '+' : '-';
  const magnitude = Math.abs(delta);
  if (kind === 'duration') return `${arrow} ${sign}${humanDuration(magnitude)}`;
  if (kind === 'rate') return `${arrow} ${sign}${decimal(magnitude * 100, 1)} pp`;
  const relative = previous !== 0 ? ` (${sign}${decimal((magnitude / Math.abs(previous)) * 100, 0)} %)` : '';
  return `${arrow} ${sign}${decimal(magnitude)}${relative}`;
}
