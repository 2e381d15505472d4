import type { ClickHouseClient } from '@clickhouse/client';
import type { RepoData } from './changes.js';
import { CommitGraph } from './graph.js';
import { loadReverts, PullRequestIndex } from './pull-requests.js';

/**
 * Repositories loaded for derivation, kept while they fit: services that deploy from
 * the same repository (a monorepo) share one graph. Bounded by commits held, so memory
 * stays proportional to the largest repository, not to the organisation.
 */
export class RepoCache {
  private readonly loaded = new Map<string, RepoData>();
  private held = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly maxCommits = 2_000_000,
  ) {}

  async get(repo: string): Promise<RepoData> {
    const cached = this.loaded.get(repo);
    if (cached) {
      // Most recently used last.
      this.loaded.delete(repo);
      this.loaded.set(repo, cached);
      return cached;
    }
    const graph = await CommitGraph.load(this.client, repo);
    const data: RepoData = {
      graph,
      prs: graph.size > 0 ? await PullRequestIndex.load(this.client, graph) : new PullRequestIndex(graph, []),
      reverts: graph.size > 0 ? await loadReverts(this.client, repo) : new Map(),
    };
    this.loaded.set(repo, data);
    this.held += graph.size;
    for (const [name, old] of this.loaded) {
      if (this.held <= this.maxCommits || name === repo) break;
      this.loaded.delete(name);
      this.held -= old.graph.size;
    }
    return data;
  }
}
