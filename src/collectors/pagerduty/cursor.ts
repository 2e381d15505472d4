import { z } from 'zod';
import type { Logger } from '../../log.js';

/**
 * What the collector remembers between runs (one scope, `incidents`): every incident
 * created in `[start, watermark)` has been read, and `open` lists those that were not
 * resolved yet, read again by id next run so their resolution is not missed however
 * old they are.
 */
export const PagerDutyCursor = z.object({
  start: z.iso.datetime({ offset: true }),
  watermark: z.iso.datetime({ offset: true }),
  open: z.array(z.string()).default([]),
});
export type PagerDutyCursor = z.infer<typeof PagerDutyCursor>;

export const CURSOR_SCOPE = 'incidents';

export function readCursor(value: string | undefined, log: Logger): PagerDutyCursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = PagerDutyCursor.safeParse(JSON.parse(value));
    if (parsed.success) return parsed.data;
  } catch {
    // unreadable JSON: treated like an unknown shape
  }
  // Starting over is safe: writes are idempotent.
  log.warn('pagerduty cursor unreadable; collecting again from `since`', {});
  return undefined;
}

export const writeCursor = (cursor: PagerDutyCursor): string => JSON.stringify(cursor);
