import type { Batch, CollectContext } from '../types.js';
import { boundaryParents, readCommits, type CommitStats } from './commits.js';
import { nextGitCursor, readGitCursor, rewrittenRefs } from './cursor.js';
import { deploymentEvents, deployTags } from './deploys.js';
import { inBatches, readAhead } from './batches.js';
import { headCommit, listRefs, shortRef, tagMatcher } from './refs.js';
import { openRepo, serviceFor } from './repo.js';
import { allTips, branchTips, warnNoDeployTags } from './tips.js';
import type { GitRepoSource, GitSourceConfig } from './schema.js';

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
  if (patterns.length > 0 && tags.length === 0) warnNoDeployTags(refs, patterns, repo.name, log);

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
