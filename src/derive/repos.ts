import type { ClickHouseClient } from '@clickhouse/client';
import type { RepoData } from './changes.js';
import { CommitGraph } from './graph.js';
import { PullRequestIndex, RevertIndex } from './pull-requests.js';

/**
 * Repositories loaded for derivation, kept while they fit: services that deploy from
 * the same repository (a monorepo) share one graph. Bounded by commits held, so memory
 * stays proportional to the largest repository, not to the organisation.
 */
export class RepoCache {
  private readonly loaded = new Map<string, Promise<RepoData>>();
  private readonly sizes = new Map<string, number>();
  private held = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly maxCommits = 200_000,
  ) {}

  /** Concurrent callers for one repository share one load. */
  get(repo: string): Promise<RepoData> {
    const cached = this.loaded.get(repo);
    if (cached) {
      // Most recently used last.
      this.loaded.delete(repo);
      this.loaded.set(repo, cached);
      return cached;
    }
    const loading = this.load(repo);
    this.loaded.set(repo, loading);
    loading.then(
      (data) => this.account(repo, data.graph.size),
      () => this.loaded.delete(repo),
    );
    return loading;
  }

  private async load(repo: string): Promise<RepoData> {
    const reverts = new RevertIndex();
    const graph = await CommitGraph.load(this.client, repo, (sha, targets) => reverts.add(sha, targets));
    return {
      graph,
      prs: graph.size > 0 ? await PullRequestIndex.load(this.client, graph) : new PullRequestIndex(graph, []),
      reverts: reverts.reverts,
    };
  }

  private account(repo: string, size: number): void {
    if (!this.loaded.has(repo) || this.sizes.has(repo)) return;
    this.sizes.set(repo, size);
    this.held += size;
    for (const name of this.loaded.keys()) {
      if (this.held <= this.maxCommits || name === repo) break;
      const evicted = this.sizes.get(name);
      if (evicted === undefined) continue;
      this.loaded.delete(name);
      this.sizes.delete(name);
      this.held -= evicted;
    }
  }
}
