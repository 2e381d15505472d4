/**
 * Exact quantile with linear interpolation between order statistics (R-7, Excel's
 * PERCENTILE.INC), the same as ClickHouse's quantileExactInclusive. null for no data.
 */
export function quantile(values: readonly number[], level: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * level;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** A number from ClickHouse JSON: NaN, Infinity and null (no rows) become null. */
export function finite(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
