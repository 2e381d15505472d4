import { ConfigError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { GithubClient } from './client.js';
import { repoSelected, type GithubConfig } from './config.js';
import { nextCursor } from './paging.js';
import { OWNER_REPOS } from './queries.js';
import { describeNode, parseNodes, RawConnection, RepoNode } from './schema.js';
import type { RepoTarget } from './sync.js';

interface OwnerReposData {
  repositoryOwner: { login: string; repositories: unknown } | null;
}

/**
 * The repositories to sync: those named in `repos`, then every repository of `org`
 * (paged fully, 100 at a time), through the include/exclude globs, without archived
 * repositories and forks unless asked. Each repository once.
 */
export async function* discoverRepos(client: GithubClient, config: GithubConfig, log: Logger): AsyncGenerator<RepoTarget> {
  const seen = new Set<string>();
  const fresh = (nameWithOwner: string) => {
    const key = nameWithOwner.toLowerCase();
    if (seen.has(key) || !repoSelected(config, nameWithOwner)) return false;
    seen.add(key);
    return true;
  };
  for (const repo of config.repos) if (fresh(repo)) yield { nameWithOwner: repo };
  if (config.org === undefined) return;

  const cursors = new Set<string>();
  let after: string | undefined;
  do {
    const data = await client.query<OwnerReposData>(
      OWNER_REPOS,
      { login: config.org, isArchived: config.includeArchived ? null : false, isFork: config.includeForks ? null : false, after: after ?? null },
      `organisation ${config.org}`,
    );
    if (!data.repositoryOwner) {
      throw new ConfigError(`GitHub has no organisation or user named ${config.org}`, {
        suggestion: 'check --org; a private organisation is visible only to a token with the read:org scope',
      });
    }
    const page = RawConnection.safeParse(data.repositoryOwner.repositories);
    if (!page.success) break;
    for (const node of parseNodes(RepoNode, page.data.nodes, describeNode(config.org, 'repository'), log)) {
      // GitHub filters archived repositories and forks already; this guards a server that ignores the filter.
      if ((node.isArchived && !config.includeArchived) || (node.isFork && !config.includeForks)) continue;
      if (fresh(node.nameWithOwner)) yield { nameWithOwner: node.nameWithOwner, ...(node.defaultBranchRef ? { defaultBranch: node.defaultBranchRef.name } : {}) };
    }
    after = nextCursor(page.data.pageInfo, page.data.nodes?.length ?? 0, cursors, log, { org: config.org, kind: 'repositories' });
  } while (after !== undefined);
}
