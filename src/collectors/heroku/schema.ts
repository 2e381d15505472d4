import { z } from 'zod';

/**
 * The parts of Heroku Platform API v3 payloads the collector reads, checked against
 * `@heroku-cli/schema` 2.0.1 (test/heroku-schema.test.ts compares them to its types).
 * Only the fields we use are declared; everything else is ignored.
 * Reference: https://devcenter.heroku.com/articles/platform-api-reference
 */

const IsoTime = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time with a zone' });
const Ref = z.object({ id: z.string().min(1) });

export const App = z.object({ id: z.string().min(1), name: z.string().min(1) });
export type App = z.infer<typeof App>;

export const Pipeline = z.object({ id: z.string().min(1), name: z.string().min(1) });
export type Pipeline = z.infer<typeof Pipeline>;

/** Stages of the public schema; anything else is kept as it is and named as the environment. */
export const PipelineCoupling = z.object({
  app: Ref,
  pipeline: Ref,
  stage: z.string().min(1),
});
export type PipelineCoupling = z.infer<typeof PipelineCoupling>;

/**
 * `expired` is not in the public schema but the Heroku CLI handles it (a release whose
 * release phase never finished); it never went live.
 */
export const ReleaseStatus = z.enum(['succeeded', 'failed', 'pending', 'expired'], {
  error: 'expected one of succeeded, failed, pending, expired',
});
export type ReleaseStatus = z.infer<typeof ReleaseStatus>;

export const Release = z.object({
  id: z.string().min(1),
  version: z.number({ error: 'expected a release number' }).int().positive(),
  description: z.string().nullish().transform((value) => value ?? ''),
  status: ReleaseStatus,
  created_at: IsoTime,
  updated_at: IsoTime.nullish(),
  /** The code running in this release; a config-only release keeps the previous slug; null before the first deploy. */
  slug: Ref.nullish().transform((value) => value ?? null),
});
export type Release = z.infer<typeof Release>;

export const Slug = z.object({
  id: z.string().min(1),
  /** "identification of the code with your version control system (eg: SHA of the git HEAD)". */
  commit: z.string().nullish(),
});
export type Slug = z.infer<typeof Slug>;

export const Build = z.object({
  id: z.string().min(1),
  status: z.string(),
  /** `version` is the commit SHA for git builds. */
  source_blob: z.object({ version: z.string().nullish() }).nullish(),
  slug: Ref.nullish(),
});
export type Build = z.infer<typeof Build>;

/** The `{id, message}` body of a Platform API error. */
export const ApiError = z.object({ id: z.string().optional(), message: z.string().optional() });

// --- Release descriptions -------------------------------------------------------------
// Heroku writes them in English; only these three forms carry meaning for us. Anything
// else is still classified by its slug (a new slug is new code), never by its text.

/** "Rollback to v41", also with a suffix such as "Rollback to v41 (by someone)". */
const ROLLBACK = /^\s*rollback to v(\d+)\b/i;
/** "Deploy 1a2b3c4d" (git push, short SHA). */
const DEPLOY = /^\s*deploy(?:ed)?\s+([0-9a-f]{7,64})\b/i;
/** "Promote shop-staging v12 1a2b3c4" (pipeline promotion; the SHA is optional). */
const PROMOTE = /^\s*promote\s+(\S+)\s+v(\d+)(?:\s+([0-9a-f]{7,64}))?\b/i;
/** Descriptions that announce new code even when the release carries no slug. */
const CODE_WORDS = /^\s*(deploy|deployed|promote|rollback)\b/i;

export interface DescribedRelease {
  rollbackTo?: number;
  promotedFrom?: { app: string; version: number };
  /** A SHA or prefix named in the text (a last resort for the commit). */
  sha?: string;
  /** The text announces a code change (deploy, promotion or rollback). */
  announcesCode: boolean;
}

export function describeRelease(description: string): DescribedRelease {
  const result: DescribedRelease = { announcesCode: CODE_WORDS.test(description) };
  const rollback = ROLLBACK.exec(description);
  if (rollback) result.rollbackTo = Number(rollback[1]);
  const promote = PROMOTE.exec(description);
  if (promote) {
    result.promotedFrom = { app: promote[1]!, version: Number(promote[2]) };
    if (promote[3]) result.sha = promote[3].toLowerCase();
  }
  const deploy = DEPLOY.exec(description);
  if (deploy) result.sha = deploy[1]!.toLowerCase();
  return result;
}

/** A commit id we can store: 7 to 64 hex characters (git SHA-1 or SHA-256, or a prefix). */
export function asSha(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && /^[0-9a-f]{7,64}$/i.test(trimmed) ? trimmed.toLowerCase() : undefined;
}
