import type { ClickHouseClient } from '@clickhouse/client';
import type { GraphCommit } from './graph.js';
import { mergedPullRequestColumns, toMergedPullRequest, type MergedPullRequest, type MergedPullRequestTuple } from './pull-requests.js';
import { rows } from './service.js';

/** A commit as the append path reads it. */
export interface TailCommit extends GraphCommit {
  /** Its message says `This reverts commit …`. */
  reverts: boolean;
}

type CommitTuple = [string, string[], number, number, number];

const commitColumns = `sha, parents, toUnixTimestamp64Milli(authored_at), if(author = '', 0, xxHash32(author)),
  position(message, 'This reverts commit ') > 0`;

const toCommit = ([sha, parents, authoredAt, authorKey, reverts]: CommitTuple): TailCommit => ({
  sha,
  parents,
  authoredAt: Number(authoredAt),
  authorKey: Number(authorKey),
  reverts: Boolean(Number(reverts)),
});

/**
 * One repository as a service's append sees it: only the commits it asks for, and whether
 * an earlier production deployment of the service already shipped them (`derived_commits`
 * of the runs in force). Nothing here reads the repository's whole history into memory.
 */
export class RepoTail {
  private readonly known = new Map<string, TailCommit | 'seen' | 'absent'>();

  constructor(
    private readonly client: ClickHouseClient,
    readonly repo: string,
    readonly owner: { scope: string; service: string; runs: number[] },
  ) {}

  /** The SHAs the service shipped from this repository, narrowed to `among` (an SQL set). */
  private seenFilter(among?: string) {
    return `SELECT sha FROM derived_commits WHERE scope = {scope:String} AND service = {service:String} AND repo = {repo:String}
              AND run IN {runs:Array(UInt64)}${among ? ` AND sha IN ${among}` : ''}`;
  }

  private params(extra: Record<string, unknown> = {}) {
    return { ...this.owner, repo: this.repo, ...extra };
  }

  /** Commits ingested after `since` (the newest copy of each), remembered with whether they were shipped. */
  async arrived(since: string): Promise<TailCommit[]> {
    const found = await rows<[...CommitTuple, number]>(
      this.client,
      `SELECT ${commitColumns}, sha IN (${this.seenFilter(`(SELECT sha FROM commits WHERE repo = {repo:String} AND ingested_at > {since:DateTime64(3, 'UTC')})`)}) AS seen
       FROM commits WHERE repo = {repo:String} AND ingested_at > {since:DateTime64(3, 'UTC')}
       ORDER BY sha, ingested_at DESC LIMIT 1 BY sha`,
      this.params({ since }),
    );
    return found.map((row) => {
      const commit = toCommit(row.slice(0, 5) as CommitTuple);
      this.known.set(commit.sha, Number(row[5]) ? 'seen' : commit);
      return commit;
    });
  }

  /** Reads what is not known yet of `shas`, in one query. */
  private async fetch(shas: string[]): Promise<void> {
    const missing = [...new Set(shas.filter((sha) => !this.known.has(sha)))];
    if (missing.length === 0) return;
    const found = await rows<[...CommitTuple, number]>(
      this.client,
      `SELECT ${commitColumns}, sha IN (${this.seenFilter('{shas:Array(String)}')}) AS seen
       FROM commits WHERE repo = {repo:String} AND sha IN {shas:Array(String)}
       ORDER BY sha, ingested_at DESC LIMIT 1 BY sha`,
      this.params({ shas: missing }),
    );
    for (const row of found) this.known.set(row[0], Number(row[5]) ? 'seen' : toCommit(row.slice(0, 5) as CommitTuple));
    // A parent that is not in the store: a root as far as we know, as in the full graph.
    for (const sha of missing) if (!this.known.has(sha)) this.known.set(sha, 'absent');
  }

  /**
   * The commits reachable from `start` that no earlier deployment shipped and `shipped` (this
   * append's earlier deployments) does not hold, adding them to it. A level of parents per query
   * where they are not known yet: the cost is what is new, not the history behind it.
   */
  async walkNew(start: string, shipped: Map<string, TailCommit>): Promise<TailCommit[]> {
    const found: TailCommit[] = [];
    let frontier = [start];
    while (frontier.length > 0) {
      await this.fetch(frontier);
      const next: string[] = [];
      for (const sha of frontier) {
        const commit = this.known.get(sha);
        if (commit === 'seen' || commit === 'absent' || commit === undefined || shipped.has(sha)) continue;
        shipped.set(sha, commit);
        found.push(commit);
        next.push(...commit.parents);
      }
      frontier = next;
    }
    return found;
  }

  /** The commit a deployment names (a full SHA or a prefix): its SHA, `ambiguous`, or undefined. */
  async resolve(shaOrPrefix: string): Promise<string | 'ambiguous' | undefined> {
    const sha = shaOrPrefix.toLowerCase();
    if (sha.length > 40) return undefined;
    const found = await rows<[string]>(
      this.client,
      sha.length === 40
        ? 'SELECT DISTINCT sha FROM commits WHERE repo = {repo:String} AND sha = {sha:String}'
        : 'SELECT DISTINCT sha FROM commits WHERE repo = {repo:String} AND startsWith(sha, {sha:String}) LIMIT 2',
      this.params({ sha }),
    );
    if (found.length > 1) return 'ambiguous';
    return found[0]?.[0];
  }

  /** An earlier production deployment of the service shipped from this repository (its baseline is set). */
  async hasShipped(): Promise<boolean> {
    const found = await rows<[string]>(this.client, `${this.seenFilter()} LIMIT 1`, this.params());
    return found.length > 0;
  }

  /** How many of `shas` an earlier deployment of the service shipped. */
  async countSeen(shas: string[]): Promise<number> {
    if (shas.length === 0) return 0;
    const [[count]] = (await rows<[number]>(this.client, `SELECT count() FROM (${this.seenFilter('{shas:Array(String)}')})`, this.params({ shas }))) as [
      [number],
    ];
    return Number(count);
  }

  /** Commits with the same author and author time as one of `commits`: rebased copies, or their originals. */
  async sameAuthorship(commits: readonly GraphCommit[]): Promise<TailCommit[]> {
    const keys = commits.filter((commit) => (commit.authorKey ?? 0) !== 0).map((commit) => `${commit.authoredAt}:${commit.authorKey}`);
    if (keys.length === 0) return [];
    const found = await rows<CommitTuple>(
      this.client,
      `SELECT ${commitColumns} FROM commits
       WHERE repo = {repo:String} AND author != ''
         AND concat(toString(toUnixTimestamp64Milli(authored_at)), ':', toString(xxHash32(author))) IN {keys:Array(String)}
       ORDER BY sha, ingested_at DESC LIMIT 1 BY sha`,
      this.params({ keys }),
    );
    return found.map(toCommit);
  }

  /** Commits by SHA (those in the store), newest copy of each. */
  async commits(shas: string[]): Promise<TailCommit[]> {
    if (shas.length === 0) return [];
    const found = await rows<CommitTuple>(
      this.client,
      `SELECT ${commitColumns} FROM commits WHERE repo = {repo:String} AND sha IN {shas:Array(String)} ORDER BY sha, ingested_at DESC LIMIT 1 BY sha`,
      this.params({ shas: [...new Set(shas)] }),
    );
    return found.map(toCommit);
  }

  /** Merged pull requests that list or merged one of `shas`, or arrived after `since`. */
  async pullRequests(shas: string[], since: string): Promise<MergedPullRequest[]> {
    const found = await rows<MergedPullRequestTuple>(
      this.client,
      `SELECT ${mergedPullRequestColumns} FROM pull_requests FINAL
       WHERE repo = {repo:String} AND merged_at IS NOT NULL
         AND (merge_sha IN {shas:Array(String)} OR hasAny(commits, {shas:Array(String)}) OR ingested_at > {since:DateTime64(3, 'UTC')})`,
      this.params({ shas, since }),
    );
    return found.map(toMergedPullRequest);
  }
}
