import { z } from 'zod';
import { Since } from '../since.js';
import { SeverityFilter } from '../../catalog/severity.js';

const names = z.array(z.string().trim().min(1, 'expected a non-empty name'));

/** `sources.pagerduty` in dora.config.json; every key has a `dora collect pagerduty` flag. */
export const PagerDutyConfig = z.strictObject({
  /** Only these PagerDuty services (ids, `P1ABCDE`). Default: every service the key can read. */
  services: names.optional(),
  /** Only incidents of these PagerDuty teams (ids). Default: all. */
  teams: names.optional(),
  ...SeverityFilter.shape,
  /** How far back the first run goes; an earlier value later backfills. Default 180 days. */
  since: Since.optional(),
});
export type PagerDutyConfig = z.infer<typeof PagerDutyConfig>;
