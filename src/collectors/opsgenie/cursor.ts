import { z } from 'zod';
import type { Logger } from '../../log.js';

/**
 * What the collector remembers per kind (cursor scope `alerts` or `incidents`): every
 * item created in `[start, watermark)` has been read; `open` lists those not closed yet,
 * read again by id next run so their close is not missed however old they are.
 */
export const OpsgenieCursor = z.object({
  start: z.iso.datetime({ offset: true }),
  watermark: z.iso.datetime({ offset: true }),
  open: z.array(z.string()).default([]),
});
export type OpsgenieCursor = z.infer<typeof OpsgenieCursor>;

export function readCursor(value: string | undefined, log: Logger): OpsgenieCursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = OpsgenieCursor.safeParse(JSON.parse(value));
    if (parsed.success) return parsed.data;
  } catch {
    // unreadable JSON: treated like an unknown shape
  }
  log.warn('opsgenie cursor unreadable; collecting again from `since`', {});
  return undefined;
}

export const writeCursor = (cursor: OpsgenieCursor): string => JSON.stringify(cursor);
