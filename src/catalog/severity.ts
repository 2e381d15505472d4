import { z } from 'zod';

/**
 * Severity filters of the incident sources (`sources.pagerduty.urgencies`,
 * `sources.<id>.priorities`): low-urgency pages and P5 alerts are not incidents for DORA.
 * A filtered incident is still stored, with the reason in `extra.ignored`, so nothing is
 * lost and `dora doctor` can say what was ignored and why; derive leaves it out.
 */

const names = z.array(z.string().trim().min(1, 'expected a non-empty name'));

/** The filter keys a collector's config section may carry. */
export const SeverityFilter = z.object({
  /** PagerDuty urgencies to keep (`high`, `low`). Default: every urgency. */
  urgencies: names.optional(),
  /** Priorities to keep (`P1`…`P5`, or the account's own names). An incident without a priority is kept. Default: every priority. */
  priorities: names.optional(),
});
export type SeverityFilter = z.infer<typeof SeverityFilter>;

export interface SeverityFacts {
  urgency?: string | undefined;
  priority?: string | undefined;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Why the filter leaves this incident out, fit to print; undefined when it is kept. */
export function ignoredBecause(filter: SeverityFilter, facts: SeverityFacts, section: string): string | undefined {
  if (filter.urgencies?.length && facts.urgency && !filter.urgencies.some((kept) => same(kept, facts.urgency!))) {
    return `urgency ${facts.urgency} is not in ${section}.urgencies (${filter.urgencies.join(', ')})`;
  }
  if (filter.priorities?.length && facts.priority && !filter.priorities.some((kept) => same(kept, facts.priority!))) {
    return `priority ${facts.priority} is not in ${section}.priorities (${filter.priorities.join(', ')})`;
  }
  return undefined;
}

/**
 * Keys of an incident event's `extra` that the incident collectors fill and derive and
 * `dora doctor` read. Other importers may set them too.
 */
export const incidentExtra = {
  /** Why a severity filter left the incident out; empty or absent = counted. */
  ignored: 'ignored',
  /** `true` when no catalog entry lists the incident's source service. */
  unmapped: 'unmapped',
  /** The source's own service: `P1ABCDE checkout` for PagerDuty. */
  sourceService: 'source_service',
  /** Free text read for deployment ids, release versions and SHAs: the description or body. */
  description: 'description',
  /** Custom fields as JSON (PagerDuty custom fields, Opsgenie details); also read for references. */
  fields: 'fields',
} as const;
