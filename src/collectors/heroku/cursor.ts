import { z } from 'zod';
import { DeploymentEvent } from '../../events/schemas.js';
import type { Logger } from '../../log.js';

/**
 * What the collector remembers per app (cursor scope = app name): every release up
 * to `version` is final and seen. `slug` is the code that was live then (a release
 * with another slug is new code) and `live` the deployment that put it there (the
 * one a later "Rollback to vN" rolls back, and the one config releases are noted on).
 */
export const AppCursor = z.object({
  version: z.number().int().nonnegative(),
  slug: z.string().nullable(),
  live: DeploymentEvent.nullable(),
});
export type AppCursor = z.output<typeof AppCursor>;

export const freshCursor = (): AppCursor => ({ version: 0, slug: null, live: null });

export function readAppCursor(value: string | undefined, app: string, log: Logger): AppCursor {
  if (value === undefined) return freshCursor();
  try {
    const parsed = AppCursor.safeParse(JSON.parse(value));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: unreadable JSON is treated like an unknown shape
  }
  // Starting over is safe: writes are idempotent, so the same releases give the same rows.
  log.warn('heroku cursor unreadable; collecting the app from its first release', { app });
  return freshCursor();
}

export const writeAppCursor = (cursor: AppCursor): string => JSON.stringify(cursor);

/** `Range` for the releases after the cursor, oldest first. */
export function releasesRange(cursor: AppCursor, pageSize: number): string {
  const start = cursor.version > 0 ? `]${cursor.version}..` : '..';
  return `version ${start}; max=${pageSize}, order=asc`;
}
