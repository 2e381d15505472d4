import { z } from 'zod';

/**
 * The cursor saved per repository and kind (scope `owner/name:pulls`), as JSON:
 * - `from`: the kind is complete from this time (the `since` of its first sync);
 * - `to`: the watermark: everything ordered before it is collected in its final
 *   form, so the next run asks only for items at or after `to` (less an overlap);
 * - `seen`: versions (`number@updatedAt`) of the items within the overlap below `to`:
 *   the next run reads them again but does not write them again unless they changed,
 *   so an unchanged re-sync writes nothing (and derive has nothing to redo);
 * - `resume`: while a run pages newest-first (GitHub offers no "since" filter on
 *   pull requests, deployments or releases), where to continue after a crash:
 *   the page cursor, the floor that run stops at, and the watermark it will save.
 */
export const KindCursor = z.object({
  from: z.string(),
  to: z.string().optional(),
  seen: z.array(z.string()).optional(),
  resume: z.object({ after: z.string(), floor: z.string(), top: z.string().optional() }).optional(),
});
export type KindCursor = z.infer<typeof KindCursor>;

export function parseCursor(value: string | undefined): KindCursor | undefined {
  if (!value) return undefined;
  try {
    const parsed = KindCursor.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface Plan {
  /** Complete-from time to record. */
  from: string;
  /** Items ordered before this are not needed. */
  floor: string;
  /** Continue an interrupted run from this page cursor. */
  resumeAfter?: string;
  /** The watermark already established by the interrupted run. */
  top?: string;
  /** The watermark of the last complete run. */
  previous?: string;
  /** How far below the watermark this kind reads again. */
  overlapMs: number;
  /** Versions of items already written at the last run's watermark. */
  seen: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What this run asks for: resume, continue from the watermark (less `overlapMs`), or
 * start from `since`. A `since` given explicitly and earlier than what was collected
 * backfills; the default `since` never does.
 */
export function planKind(cursor: KindCursor | undefined, since: { time: string; explicit: boolean }, overlapMs: number): Plan {
  const common = { overlapMs, seen: new Set(cursor?.seen ?? []), ...(cursor?.to ? { previous: cursor.to } : {}) };
  if (cursor?.resume) {
    return { ...common, from: cursor.from, floor: cursor.resume.floor, resumeAfter: cursor.resume.after, ...(cursor.resume.top ? { top: cursor.resume.top } : {}) };
  }
  if (cursor?.to && (!since.explicit || since.time >= cursor.from)) {
    return { ...common, from: cursor.from, floor: iso(Math.max(Date.parse(cursor.from), Date.parse(cursor.to) - overlapMs)) };
  }
  // A first sync, or `since` earlier than what was collected: (back)fill from `since`.
  return { ...common, from: since.time, floor: since.time };
}

/**
 * The watermark a run establishes: the newest ordering time it saw, held back to the
 * oldest item that may still change (a deployment still in progress, a draft release),
 * so the next run looks at that item again.
 */
export class Watermark {
  private newest: string | undefined;
  private held: string | undefined;

  constructor(start?: string) {
    this.newest = start;
  }

  see(time: string, holds = false): void {
    if (this.newest === undefined || time > this.newest) this.newest = time;
    if (holds && (this.held === undefined || time < this.held)) this.held = time;
  }

  value(): string | undefined {
    if (this.held !== undefined && this.newest !== undefined) return this.held < this.newest ? this.held : this.newest;
    return this.newest;
  }
}

export const cursorValue = (cursor: KindCursor) => JSON.stringify(cursor);
