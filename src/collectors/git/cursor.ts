import { z } from 'zod';
import type { Logger } from '../../log.js';
import { gitStatus, type GitRun } from './process.js';
import type { TagMemory } from './deploys.js';

/**
 * What a run remembers per repository (scope = the repository's name): the tip
 * of every ref it read (the next run reads only commits not reachable from
 * them), each service's deploy tags, and whether the clone was shallow.
 */
export const GitCursor = z.object({
  v: z.literal(1),
  refs: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.record(z.string(), z.string())),
  shallow: z.boolean(),
});
export type GitCursor = z.infer<typeof GitCursor>;

export function readGitCursor(value: string | undefined, log: Logger, repo: string): GitCursor | undefined {
  if (value === undefined) return undefined;
  try {
    return GitCursor.parse(JSON.parse(value));
  } catch {
    log.warn('unreadable git cursor; reading the whole history again', { repo });
    return undefined;
  }
}

export function nextGitCursor(
  previous: GitCursor | undefined,
  tips: Map<string, string>,
  existingRefs: Set<string>,
  service: string,
  tags: TagMemory,
  shallow: boolean,
): GitCursor {
  const refs: Record<string, string> = {};
  // Keep what other entries of the same repository read (another branch), as long as the ref exists.
  for (const [ref, sha] of Object.entries(previous?.refs ?? {})) if (existingRefs.has(ref)) refs[ref] = sha;
  for (const [ref, sha] of tips) refs[ref] = sha;
  return { v: 1, refs, tags: { ...previous?.tags, [service]: tags }, shallow };
}

/**
 * Refs whose history was rewritten since the last run (a force push): the old
 * tip is no longer an ancestor of the new one, or no longer exists at all.
 */
export async function rewrittenRefs(previous: GitCursor, tips: Map<string, string>, run: GitRun): Promise<{ ref: string; from: string; to: string }[]> {
  const rewritten: { ref: string; from: string; to: string }[] = [];
  for (const [ref, sha] of tips) {
    const old = previous.refs[ref];
    // Tags are not history: a moved deploy tag is reported where deployments are made.
    if (old === undefined || old === sha || ref.startsWith('refs/tags/')) continue;
    // Exit 1: not an ancestor; 128: the old commit is gone (garbage-collected after the rewrite).
    const code = await gitStatus(['merge-base', '--is-ancestor', old, sha], run, [0, 1, 128]);
    if (code !== 0) rewritten.push({ ref, from: old, to: sha });
  }
  return rewritten;
}
