import type { Benchmark, Tier } from './types.js';

/** Below this many rows a figure gets no tier ("insufficient data"). */
export const MINIMUM_SAMPLE = 5;

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Upper bounds (exclusive) for elite, high, medium; anything else is low. Recovery bands serve both restore figures. */
const durationBands: Record<Benchmark, { leadTime: number[]; restore: number[] }> = {
  // DORA 2023 as Apache DevLake reads it (DESIGN.md §4).
  '2023': { leadTime: [DAY, 7 * DAY, 30 * DAY], restore: [HOUR, DAY, 7 * DAY] },
  // DORA 2021 as DevLake reads it: elite under an hour, high under a week, medium under six months.
  '2021': { leadTime: [HOUR, 7 * DAY, 180 * DAY], restore: [HOUR, DAY, 7 * DAY] },
};

/** Inclusive upper bounds of the change failure rate for elite, high, medium. */
const failureBands: Record<Benchmark, number[]> = {
  '2023': [0.05, 0.1, 0.15],
  '2021': [0.15, 0.2, 0.3],
};

const tiers: Tier[] = ['elite', 'high', 'medium', 'low'];

function band(value: number, bounds: number[], inclusive: boolean): Tier {
  const index = bounds.findIndex((bound) => (inclusive ? value <= bound : value < bound));
  return tiers[index === -1 ? 3 : index] as Tier;
}

const enough = (n: number) => n >= MINIMUM_SAMPLE;

export function leadTimeTier(benchmark: Benchmark, median: number | null, n: number): Tier | null {
  return median === null || !enough(n) ? null : band(median, durationBands[benchmark].leadTime, false);
}

export function restoreTier(benchmark: Benchmark, median: number | null, n: number): Tier | null {
  return median === null || !enough(n) ? null : band(median, durationBands[benchmark].restore, false);
}

export function failureRateTier(benchmark: Benchmark, rate: number | null, n: number): Tier | null {
  return rate === null || !enough(n) ? null : band(rate, failureBands[benchmark], true);
}

/**
 * Deployment frequency from deployment days. 2023: elite when the median week has 5+
 * deployment days, high with 1+, medium when the median month has 1+. 2021 (DevLake's
 * reading): elite 5+ a week, high 1+ a month, medium 1+ per six months on average.
 */
export function frequencyTier(
  benchmark: Benchmark,
  figures: { deployments: number; weekMedian: number; monthMedian: number; deployDays: number; days: number },
): Tier | null {
  if (!enough(figures.deployments)) return null;
  if (figures.weekMedian >= 5) return 'elite';
  if (benchmark === '2023') {
    if (figures.weekMedian >= 1) return 'high';
    return figures.monthMedian >= 1 ? 'medium' : 'low';
  }
  if (figures.monthMedian >= 1) return 'high';
  return (figures.deployDays / figures.days) * 182.5 >= 1 ? 'medium' : 'low';
}

export const benchmarkBands = { durationBands, failureBands };
