import type { ClickHouseClient } from '@clickhouse/client';

/** One commit as the graph is built from it: `authorKey` is 0 when the author is unknown. */
export interface GraphCommit {
  sha: string;
  parents: string[];
  authoredAt: number;
  authorKey?: number;
}

export type Resolution =
  | { status: 'resolved'; index: number }
  | { status: 'unknown' }
  | { status: 'ambiguous'; candidates: string[] };

/**
 * The commit graph of one repository, compact enough for a few million commits:
 * SHAs map to dense indexes, parents are stored as index arrays (CSR), times as
 * epoch milliseconds. Parents that are not in the store (a shallow import) are
 * dropped: the commit is a root as far as we know.
 */
export class CommitGraph {
  readonly size: number;
  private readonly index = new Map<string, number>();
  private sortedShas: string[] | undefined;
  private generation: Int32Array | undefined;
  private visitStamp: Uint32Array | undefined;
  private stamp = 0;

  private constructor(
    readonly repo: string,
    readonly shas: string[],
    readonly authoredAt: Float64Array,
    readonly authorKey: Uint32Array,
    readonly parentStart: Int32Array,
    readonly parentIndex: Int32Array,
  ) {
    this.size = shas.length;
    shas.forEach((sha, position) => this.index.set(sha, position));
  }

  static fromCommits(repo: string, commits: readonly GraphCommit[]): CommitGraph {
    const shas = commits.map((commit) => commit.sha);
    const index = new Map(shas.map((sha, position) => [sha, position]));
    const authoredAt = Float64Array.from(commits, (commit) => commit.authoredAt);
    const authorKey = Uint32Array.from(commits, (commit) => commit.authorKey ?? 0);
    const parentStart = new Int32Array(commits.length + 1);
    const parents: number[] = [];
    commits.forEach((commit, position) => {
      for (const parent of commit.parents) {
        const parentPosition = index.get(parent);
        if (parentPosition !== undefined) parents.push(parentPosition);
      }
      parentStart[position + 1] = parents.length;
    });
    return new CommitGraph(repo, shas, authoredAt, authorKey, parentStart, Int32Array.from(parents));
  }

  /**
   * Every stored commit of `repo`, on any branch (a squashed PR's own commits included). With
   * `onRevert`, the same read also hands over each `This reverts commit <sha>` message's targets.
   */
  static async load(client: ClickHouseClient, repo: string, onRevert?: (sha: string, targets: string[]) => void): Promise<CommitGraph> {
    const result = await client.query({
      query: `SELECT sha, parents, toUnixTimestamp64Milli(authored_at) AS t, if(author = '', 0, xxHash32(author)) AS a,
                     if(position(message, 'This reverts commit ') > 0, extractAll(message, 'This reverts commit ([0-9a-fA-F]{7,64})'), []) AS r
              FROM commits FINAL WHERE repo = {repo:String} ORDER BY sha`,
      query_params: { repo },
      format: 'JSONCompactEachRow',
    });
    const rows = await result.json<[string, string[], number, number, string[]]>();
    const graph = CommitGraph.fromCommits(
      repo,
      rows.map(([sha, parents, t, a, reverted]) => {
        if (reverted.length > 0) onRevert?.(sha, reverted);
        return { sha, parents, authoredAt: Number(t), authorKey: Number(a) };
      }),
    );
    // Read in SHA order (also the fastest way through FINAL): prefixes resolve without sorting again.
    graph.sortedShas = graph.shas;
    return graph;
  }

  indexOf(sha: string): number | undefined {
    return this.index.get(sha);
  }

  parentsOf(position: number): Int32Array {
    return this.parentIndex.subarray(this.parentStart[position], this.parentStart[position + 1]);
  }

  /** A deployment may name a 7+ character prefix; it resolves when exactly one commit starts with it. */
  resolve(shaOrPrefix: string): Resolution {
    const sha = shaOrPrefix.toLowerCase();
    const exact = this.index.get(sha);
    if (exact !== undefined) return { status: 'resolved', index: exact };
    if (sha.length >= 40) return { status: 'unknown' };
    this.sortedShas ??= [...this.shas].sort();
    const sorted = this.sortedShas;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sorted[middle] as string) < sha) low = middle + 1;
      else high = middle;
    }
    const candidates: string[] = [];
    for (let position = low; position < sorted.length && (sorted[position] as string).startsWith(sha); position++) {
      candidates.push(sorted[position] as string);
    }
    if (candidates.length === 0) return { status: 'unknown' };
    if (candidates.length > 1) return { status: 'ambiguous', candidates };
    return { status: 'resolved', index: this.index.get(candidates[0] as string) as number };
  }

  /**
   * The commits reachable from `start` that are not yet in `seen`, marking them seen.
   * `seen` stays closed under ancestry (it is a union of ancestor sets), so the walk
   * stops at the first seen commit on every path: the cost is what is new.
   */
  walkNew(start: number, seen: Uint8Array): number[] {
    const found: number[] = [];
    if (seen[start]) return found;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const position = stack.pop() as number;
      found.push(position);
      for (let edge = this.parentStart[position] as number; edge < (this.parentStart[position + 1] as number); edge++) {
        const parent = this.parentIndex[edge] as number;
        if (!seen[parent]) {
          seen[parent] = 1;
          stack.push(parent);
        }
      }
    }
    return found;
  }

  /** `ancestor` is reachable from `descendant` through parents, and is not the same commit. */
  isStrictAncestor(ancestor: number, descendant: number): boolean {
    if (ancestor === descendant) return false;
    const generation = this.generations();
    // Every proper ancestor has a smaller generation, so paths at or below the ancestor's are pruned
    // (0 = unknown, on a cycle: no pruning).
    const known = (generation[ancestor] as number) > 0 && (generation[descendant] as number) > 0;
    const floor = known ? (generation[ancestor] as number) : -1;
    if (known && (generation[descendant] as number) <= floor) return false;
    this.visitStamp ??= new Uint32Array(this.size);
    const visited = this.visitStamp;
    const mark = ++this.stamp;
    const stack = [descendant];
    visited[descendant] = mark;
    while (stack.length > 0) {
      const position = stack.pop() as number;
      for (const parent of this.parentsOf(position)) {
        if (parent === ancestor) return true;
        if (visited[parent] === mark || (generation[parent] as number) <= floor) continue;
        visited[parent] = mark;
        stack.push(parent);
      }
    }
    return false;
  }

  /**
   * Generation numbers: 1 for a root, else 1 + the largest of the parents'. Kahn's order
   * (a commit after all its parents), so no recursion; commits on a cycle, which git
   * cannot produce but bad input could, keep 0 and are never pruned.
   */
  private generations(): Int32Array {
    if (this.generation) return this.generation;
    const generation = new Int32Array(this.size);
    const waiting = new Int32Array(this.size);
    const childStart = new Int32Array(this.size + 1);
    for (const parent of this.parentIndex) childStart[parent + 1] = (childStart[parent + 1] as number) + 1;
    for (let position = 0; position < this.size; position++) {
      childStart[position + 1] = (childStart[position + 1] as number) + (childStart[position] as number);
      waiting[position] = (this.parentStart[position + 1] as number) - (this.parentStart[position] as number);
    }
    const fill = childStart.slice(0, this.size);
    const children = new Int32Array(this.parentIndex.length);
    for (let position = 0; position < this.size; position++) {
      for (const parent of this.parentsOf(position)) {
        children[fill[parent] as number] = position;
        fill[parent] = (fill[parent] as number) + 1;
      }
    }
    const queue: number[] = [];
    for (let position = 0; position < this.size; position++) {
      if (waiting[position] === 0) {
        generation[position] = 1;
        queue.push(position);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const position = queue[head] as number;
      for (let edge = childStart[position] as number; edge < (childStart[position + 1] as number); edge++) {
        const child = children[edge] as number;
        if ((generation[position] as number) + 1 > (generation[child] as number)) generation[child] = (generation[position] as number) + 1;
        waiting[child] = (waiting[child] as number) - 1;
        if (waiting[child] === 0) queue.push(child);
      }
    }
    // Not reached by the queue: on (or behind) a cycle. 0 disables pruning for them.
    for (let position = 0; position < this.size; position++) if (waiting[position] !== 0) generation[position] = 0;
    return (this.generation = generation);
  }
}
