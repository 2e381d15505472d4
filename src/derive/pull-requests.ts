import type { ClickHouseClient } from '@clickhouse/client';
import type { CommitGraph } from './graph.js';

export interface MergedPullRequest {
  number: number;
  title: string;
  createdAt: number;
  firstReviewAt: number | null;
  mergedAt: number;
  mergeSha: string;
  /** The PR's own commits (before any squash or rebase). */
  commits: string[];
}

export type StartSource = 'first_commit' | 'pr_created';

/** How a commit of the graph was tied to its pull request, for `--explain`. */
export type MembershipMethod = 'listed' | 'merge_sha' | 'rebased';

/**
 * Which merged pull request each commit of a repository belongs to: a commit listed
 * in a PR's `commits`, or its `merge_sha` (merge or squash commit), or a rebased copy
 * of a listed commit (same author and author time, new SHA). A commit in several PRs
 * belongs to the one merged first.
 */
export class PullRequestIndex {
  /** Per graph commit: the index in `prs`, or -1 for a commit of its own. */
  readonly prOfCommit: Int32Array;
  readonly method: Uint8Array;
  /** A PR's start: the earliest author time of its own commits, else its creation. */
  readonly start: Float64Array;
  readonly startSource: StartSource[];

  constructor(
    readonly graph: CommitGraph,
    readonly prs: MergedPullRequest[],
  ) {
    prs.sort((a, b) => a.mergedAt - b.mergedAt || a.number - b.number);
    this.prOfCommit = new Int32Array(graph.size).fill(-1);
    this.method = new Uint8Array(graph.size);
    this.start = new Float64Array(prs.length);
    this.startSource = [];
    const rebaseKeys = new Map<string, number>();
    prs.forEach((pr, position) => {
      let earliest = Infinity;
      for (const sha of pr.commits) {
        const commit = graph.indexOf(sha);
        if (commit === undefined) continue;
        earliest = Math.min(earliest, graph.authoredAt[commit] as number);
        this.claim(commit, position, 1);
        const author = graph.authorKey[commit] as number;
        const key = `${graph.authoredAt[commit]}:${author}`;
        if (author !== 0 && !rebaseKeys.has(key)) rebaseKeys.set(key, position);
      }
      const merge = pr.mergeSha ? graph.indexOf(pr.mergeSha) : undefined;
      if (merge !== undefined) this.claim(merge, position, 2);
      this.start[position] = Number.isFinite(earliest) ? earliest : pr.createdAt;
      this.startSource.push(Number.isFinite(earliest) ? 'first_commit' : 'pr_created');
    });
    if (rebaseKeys.size === 0) return;
    for (let commit = 0; commit < graph.size; commit++) {
      if (this.prOfCommit[commit] !== -1 || graph.authorKey[commit] === 0) continue;
      const position = rebaseKeys.get(`${graph.authoredAt[commit]}:${graph.authorKey[commit]}`);
      if (position !== undefined) this.claim(commit, position, 3);
    }
  }

  private claim(commit: number, position: number, method: number): void {
    if (this.prOfCommit[commit] !== -1) return;
    this.prOfCommit[commit] = position;
    this.method[commit] = method;
  }

  static async load(client: ClickHouseClient, graph: CommitGraph): Promise<PullRequestIndex> {
    const result = await client.query({
      query: `SELECT ${mergedPullRequestColumns} FROM pull_requests FINAL WHERE repo = {repo:String} AND merged_at IS NOT NULL`,
      query_params: { repo: graph.repo },
      format: 'JSONCompactEachRow',
    });
    return new PullRequestIndex(graph, (await result.json<MergedPullRequestTuple>()).map(toMergedPullRequest));
  }
}

/** The columns `toMergedPullRequest` reads, in its order (of `pull_requests` rows with `merged_at`). */
export const mergedPullRequestColumns = `number, title, toUnixTimestamp64Milli(created_at),
  if(first_review_at IS NULL, NULL, toUnixTimestamp64Milli(first_review_at)), toUnixTimestamp64Milli(assumeNotNull(merged_at)), merge_sha, commits`;
export type MergedPullRequestTuple = [number, string, number, number | null, number, string, string[]];

export const toMergedPullRequest = ([number, title, created, reviewed, merged, mergeSha, commits]: MergedPullRequestTuple): MergedPullRequest => ({
  number: Number(number),
  title,
  createdAt: Number(created),
  firstReviewAt: reviewed === null ? null : Number(reviewed),
  mergedAt: Number(merged),
  mergeSha,
  commits,
});

/** Reverted SHA (lower case, as written) → the commits that revert it, from each reverting commit's targets. */
export class RevertIndex {
  readonly reverts = new Map<string, string[]>();

  add(sha: string, targets: readonly string[]): void {
    for (const target of targets) {
      const key = target.toLowerCase();
      this.reverts.set(key, [...(this.reverts.get(key) ?? []), sha]);
    }
  }
}

/** `This reverts commit <sha>` in a commit message (git's own wording): reverted SHA → reverting commits. */
export async function loadReverts(client: ClickHouseClient, repo: string): Promise<Map<string, string[]>> {
  const result = await client.query({
    query: `SELECT sha, extractAll(message, 'This reverts commit ([0-9a-fA-F]{7,64})') AS reverted
            FROM commits FINAL WHERE repo = {repo:String} AND position(message, 'This reverts commit ') > 0`,
    query_params: { repo },
    format: 'JSONCompactEachRow',
  });
  const index = new RevertIndex();
  for (const [sha, reverted] of await result.json<[string, string[]]>()) index.add(sha, reverted);
  return index.reverts;
}
