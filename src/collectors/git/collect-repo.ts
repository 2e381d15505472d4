import type { Batch, CollectContext } from '../types.js';
import { boundaryParents, readCommits, type CommitStats } from './commits.js';
import { nextGitCursor, readGitCursor, rewrittenRefs } from './cursor.js';
import { deploymentEvents, deployTags } from './deploys.js';
import { GitError } from './process.js';
import { headCommit, listRefs, shortRef, tagMatcher, type Ref } from './refs.js';
import { openRepo, serviceFor } from './repo.js';
import type { GitRepoSource, GitSourceConfig } from './schema.js';

/** Events per yielded batch: the runner writes each batch as one bounded insert. */
export const BATCH_SIZE = 20_000;

/** Read one repository: new commits since its cursor, then its deploy tags, then the new cursor. */
export async function* collectRepository(entry: GitRepoSource, ctx: CollectContext<GitSourceConfig>): AsyncGenerator<Batch> {
  const { log } = ctx;
  const repo = await openRepo(entry.repo, entry.name);
  const run = { cwd: repo.path, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const service = entry.service ?? serviceFor(repo.name, ctx.agent.services);
  if (repo.shallow.length > 0) {
    log.warn('shallow clone: history before its boundary is missing, so older changes have no lead time', {
      repo: repo.name,
      boundary_commits: repo.shallow.length,
      fix: `git -C ${entry.repo} fetch --unshallow`,
    });
  }

  const refs = await listRefs(repo.path);
  const head = await headCommit(repo.path);
  if (refs.length === 0 && !head) log.warn('the repository has no commits yet', { repo: repo.name });
  const patterns = entry.deployTags === undefined ? [] : [entry.deployTags].flat();
  const tags = patterns.length ? await deployTags(refs, tagMatcher(patterns), run, log, repo.name) : [];
  if (patterns.length > 0 && tags.length === 0) warnNoDeployTags(refs, patterns, repo.name, ctx);

  const tips = entry.branch ? branchTips(refs, entry.branch, repo.name) : allTips(refs, head);
  for (const tag of tags) tips.set(`refs/tags/${tag.tag}`, tag.sha);

  const previous = readGitCursor(await ctx.cursor(repo.name), log, repo.name);
  let exclude = previous ? [...new Set(Object.values(previous.refs))] : [];
  if (previous) {
    const rewritten = await rewrittenRefs(previous, tips, run);
    for (const change of rewritten) {
      log.warn('history was rewritten (force push); reading the whole history again', {
        repo: repo.name,
        ref: shortRef(change.ref),
        from: change.from.slice(0, 12),
        to: change.to.slice(0, 12),
      });
    }
    const unshallowed = previous.shallow && repo.shallow.length === 0;
    if (unshallowed) log.info('the clone is no longer shallow; reading the whole history again', { repo: repo.name });
    if (rewritten.length > 0 || unshallowed) exclude = [];
  }

  const stats: CommitStats = { commits: 0, notUtf8: [] };
  const positions = new Map<string, number>();
  const walk = {
    tips: [...new Set(tips.values())],
    exclude,
    realParents: await boundaryParents(run, repo.shallow),
    watch: new Set(tags.map((tag) => tag.sha)),
  };
  for await (const events of readAhead(inBatches(readCommits(repo.name, run, walk, stats, positions)))) yield { events };
  if (stats.notUtf8.length > 0) {
    log.warn('commit text is not valid UTF-8; stored as read in Latin-1', { repo: repo.name, first_commits: stats.notUtf8.slice(0, 5).join(' ') });
  }

  const memory = previous?.tags[service] ?? {};
  const seen = new Set(tags.map((tag) => tag.tag));
  for (const tag of tags) {
    const before = memory[tag.tag]?.split('|')[0];
    if (before && before !== tag.object) log.warn('deploy tag moved; its deployment is updated', { repo: repo.name, tag: tag.tag, to: tag.sha.slice(0, 12) });
  }
  for (const tag of Object.keys(memory)) {
    if (!seen.has(tag)) log.warn('deploy tag was deleted; its deployment stays in the store', { repo: repo.name, tag });
  }
  const deployments = await deploymentEvents(tags, memory, { repo: repo.name, service, environment: entry.env }, run, positions);
  log.info('read git repository', {
    repo: repo.name,
    service,
    new_commits: stats.commits,
    deploy_tags: tags.length,
    new_deployments: deployments.events.length,
  });
  const existing = new Set(refs.map((ref) => ref.name));
  const cursor = nextGitCursor(previous, tips, existing, service, deployments.memory, repo.shallow.length > 0);
  yield { events: deployments.events, cursor: { scope: repo.name, value: JSON.stringify(cursor) } };
}

async function* inBatches<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= BATCH_SIZE) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Produce the next batch while the runner writes this one: reading git and
 * writing the store overlap. At most two batches are held, so memory stays bounded.
 */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = source.next();
      // Should the consumer stop early, the pending read's failure must not go unhandled.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}

/** Every branch, remote-tracking branch and tag that leads to a commit, and HEAD. */
function allTips(refs: Ref[], head: string | undefined): Map<string, string> {
  const tips = new Map<string, string>();
  for (const ref of refs) if (ref.peeledType === 'commit') tips.set(ref.name, ref.peeled);
  if (head) tips.set('HEAD', head);
  return tips;
}

/** The branch, local or else remote-tracking (a fresh clone has only `origin/*` for most branches). */
function branchTips(refs: Ref[], branch: string, repo: string): Map<string, string> {
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

function warnNoDeployTags(refs: Ref[], patterns: string[], repo: string, ctx: CollectContext<GitSourceConfig>): void {
  const tags = refs.filter((ref) => ref.name.startsWith('refs/tags/'));
  const recent = [...tags].sort((a, b) => (b.created ?? 0) - (a.created ?? 0)).slice(0, 8).map((ref) => shortRef(ref.name));
  ctx.log.warn('no tag matches the deploy tag pattern; no deployments read', {
    repo,
    pattern: patterns.join(', '),
    tags: tags.length === 0 ? 'the repository has no tags' : `${tags.length} tags, e.g. ${recent.join(', ')}`,
  });
}
