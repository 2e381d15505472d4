import { z } from 'zod';

const text = (what: string) => z.string({ error: `expected ${what}` }).trim().min(1, `expected ${what}`);

/** One repository to read: `sources.git[i]` in dora.config.json, or the flags of `dora collect git`. */
export const GitRepoSource = z.strictObject({
  /** Path of the clone (working tree or bare), relative to the working directory. */
  repo: text('the path of a git repository'),
  /** The repository's stable name in the store. Default: the origin remote's `owner/name`, else the folder name. */
  name: text('a repository name such as acme/api').optional(),
  /** Service the deploy tags deploy. Default: the catalog service listing this repository, else its name without the owner. */
  service: text('a service name').optional(),
  /** Tags that are deployments, as `git tag --list` patterns (`v*`, `production/*`). Without it only commits are read. */
  deployTags: z.union([text('a tag pattern such as v*'), z.array(text('a tag pattern such as v*')).min(1)]).optional(),
  /** Environment of the tag deployments. Default `production`. */
  env: text('an environment name').default('production'),
  /** Read only this branch (and the deploy tags). Default: every branch, remote-tracking branch and tag. */
  branch: text('a branch name').optional(),
});
export type GitRepoSource = z.infer<typeof GitRepoSource>;

/** `sources.git`: an array of repositories (a single object is accepted as a one-element array). */
export const GitSourceConfig = z.preprocess(
  (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value),
  z.array(GitRepoSource, { error: 'expected an array of { repo, service, deployTags } entries' }).min(1, 'expected at least one repository'),
);
export type GitSourceConfig = z.infer<typeof GitSourceConfig>;

/** Flags over the config: `--repo` names one repository (a one-element array); other flags override every configured entry. */
export function mergeGitFlags(section: unknown, flags: Record<string, unknown>): unknown {
  // No flags and no config: the repository in the working directory.
  if (Object.keys(flags).length === 0) return section ?? [{ repo: '.' }];
  if (flags.repo !== undefined || section === undefined || section === null) return [{ repo: '.', ...flags }];
  const entries = Array.isArray(section) ? section : [section];
  return entries.map((entry) => (entry !== null && typeof entry === 'object' ? { ...entry, ...flags } : entry));
}
