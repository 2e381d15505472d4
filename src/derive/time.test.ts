import { describe, expect, it } from 'vitest';
import { humanDuration } from './time.js';

describe('humanDuration', () => {
  it.each([
    [42, '42 s'],
    [59.6, '1 min'], // 60 s once rounded
    [90, '2 min'],
    [3599, '1 h'], // 59.98 min rounds to a whole hour
    [7320, '2 h 2 min'],
    [10_776, '3 h'], // 2 h 59.6 min
    [-5400, '-1 h 30 min'],
    [172_800, '2 d'],
    [1_296_000, '15 d'],
  ])('%s seconds read %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });
});
