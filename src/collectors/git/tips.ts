import type { Logger } from '../../log.js';
import { GitError } from './process.js';
import { shortRef, type Ref } from './refs.js';

/** Every branch, remote-tracking branch and tag that leads to a commit, and HEAD. */
export function allTips(refs: Ref[], head: string | undefined): Map<string, string> {
  const tips = new Map<string, string>();
  for (const ref of refs) if (ref.peeledType === 'commit') tips.set(ref.name, ref.peeled);
  if (head) tips.set('HEAD', head);
  return tips;
}

/** The branch, local or else remote-tracking (a fresh clone has only `origin/*` for most branches). */
export function branchTips(refs: Ref[], branch: string, repo: string): Map<string, string> {
  const candidates = [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`];
  const found =
    refs.find((ref) => ref.name === candidates[0]) ??
    refs.find((ref) => ref.name === candidates[1]) ??
    refs.find((ref) => ref.name.startsWith('refs/remotes/') && ref.name.endsWith(`/${branch}`));
  if (!found) {
    const branches = refs.filter((ref) => !ref.name.startsWith('refs/tags/')).map((ref) => shortRef(ref.name));
    throw new GitError(
      `branch ${branch} not found in ${repo}; branches: ${branches.slice(0, 10).join(', ') || 'none'}${branches.length > 10 ? `, ... (${branches.length})` : ''}`,
      '',
      null,
    );
  }
  return new Map([[found.name, found.peeled]]);
}

export function warnNoDeployTags(refs: Ref[], patterns: string[], repo: string, log: Logger): void {
  const tags = refs.filter((ref) => ref.name.startsWith('refs/tags/'));
  const recent = [...tags].sort((a, b) => (b.created ?? 0) - (a.created ?? 0)).slice(0, 8).map((ref) => shortRef(ref.name));
  log.warn('no tag matches the deploy tag pattern; no deployments read', {
    repo,
    pattern: patterns.join(', '),
    tags: tags.length === 0 ? 'the repository has no tags' : `${tags.length} tags, e.g. ${recent.join(', ')}`,
  });
}
