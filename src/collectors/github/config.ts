import { z } from 'zod';
import { Since } from '../since.js';

/** `owner/name`, as GitHub spells a repository. */
const RepoName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected a repository as owner/name, e.g. acme/api');

/** `prod-eu=production` pairs from the command line, or a map in the config file. */
const Environments = z.preprocess(
  (value) => {
    if (!Array.isArray(value)) return value;
    const entries = value.map((pair) => (typeof pair === 'string' && pair.includes('=') ? pair.split(/=(.*)/s).slice(0, 2) : [pair, undefined]));
    return Object.fromEntries(entries);
  },
  z.record(z.string().min(1), z.string({ error: 'expected GITHUB_ENVIRONMENT=ENVIRONMENT, e.g. prod-eu=production' }).min(1)),
);

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** `sources.github` in dora.config.json; every key has a `dora collect github` flag. */
export const GithubConfig = z
  .strictObject({
    /** Repositories as `owner/name`. */
    repos: z.array(RepoName).default([]),
    /** Every repository of this organisation (or user), filtered by include/exclude. */
    org: z.string().min(1).optional(),
    /** Globs on the repository name or owner/name (`svc-*`); default: all. */
    include: z.array(z.string().min(1)).default([]),
    exclude: z.array(z.string().min(1)).default([]),
    /** Default false: archived repositories are skipped. */
    includeArchived: flag.default(false),
    /** Default false: forks are skipped. */
    includeForks: flag.default(false),
    /** The branch whose merged pull requests and history count. Default: each repository's default branch. */
    base: z.string().min(1).optional(),
    /** Issues with any of these labels are incidents. Default `incident`. */
    incidentLabels: z.array(z.string().min(1)).min(1).default(['incident']),
    /** Published releases also count as production deployments. Default false. */
    releasesAsDeployments: flag.default(false),
    /** How far back the first sync goes; an earlier value later backfills. Default 180 days. */
    since: Since.optional(),
    /** GitHub environment name (case-insensitive, globs allowed) -> environment name in the store. */
    environments: Environments.default({}),
    /** Repositories synced at once, within one shared rate-limit budget. Default 4. */
    concurrency: z.coerce.number().int().min(1).max(16).default(4),
  })
  .refine((config) => config.repos.length > 0 || config.org !== undefined, {
    message: 'name the repositories: set repos (--repo owner/name) or org (--org NAME)',
  });
export type GithubConfig = z.infer<typeof GithubConfig>;


/**
 * A glob on repository or environment names: `*` any run of characters except `/`,
 * `?` one character; case-insensitive. Hand-written because names have no path
 * segments worth a glob library.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  const pattern = new RegExp(`^${source}$`, 'i');
  return (name) => pattern.test(name);
}

/** Whether a repository passes the include/exclude globs (matched on `name` and on `owner/name`). */
export function repoSelected(config: Pick<GithubConfig, 'include' | 'exclude'>, nameWithOwner: string): boolean {
  const name = nameWithOwner.split('/')[1] ?? nameWithOwner;
  const matches = (globs: string[]) => globs.some((glob) => globMatcher(glob)(name) || globMatcher(glob)(nameWithOwner));
  if (config.include.length > 0 && !matches(config.include)) return false;
  return !matches(config.exclude);
}
