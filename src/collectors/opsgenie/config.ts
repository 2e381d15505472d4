import { z } from 'zod';
import { SeverityFilter } from '../../catalog/severity.js';
import { Since } from '../since.js';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** `sources.opsgenie` in dora.config.json; every key has a `dora collect opsgenie` flag. */
export const OpsgenieConfig = z.strictObject({
  /** `alerts` (`/v2/alerts`) or `incidents` (Opsgenie Incident Management, `/v1/incidents`). Default `alerts`. */
  kind: z.enum(['alerts', 'incidents'], { error: 'expected alerts or incidents' }).default('alerts'),
  /** An Opsgenie search query ANDed to the time filter, e.g. `tag:production`. Default: none. */
  query: z.string().trim().min(1).optional(),
  /** Priorities that count (`P1`…`P5`); others are stored as ignored. Default: all. */
  priorities: SeverityFilter.shape.priorities,
  /** Read each new alert once more by id for its entity, description and details (where releases and SHAs are named). Default true. */
  readDetails: flag.default(true),
  /** How far back the first run goes; an earlier value later backfills. Default 180 days. */
  since: Since.optional(),
});
export type OpsgenieConfig = z.infer<typeof OpsgenieConfig>;
