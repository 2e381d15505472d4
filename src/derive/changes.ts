import type { CommitGraph } from './graph.js';
import type { PullRequestIndex } from './pull-requests.js';
import { seconds } from './time.js';
import type { DerivedChangeRow, DerivedCommitRow, Placement, ProductionDeployment } from './types.js';

/** What derive knows about one repository: its graph, PR membership and reverts. */
export interface RepoData {
  graph: CommitGraph;
  prs: PullRequestIndex;
  /** Reverted SHA (or prefix) → the commits that revert it. */
  reverts: Map<string, string[]>;
}

export interface Shipment {
  /** New commits the deployment brought (history included for a baseline). */
  commits: number;
  /** Changes counted at this deployment (0 for a baseline). */
  changes: number;
  baseline: boolean;
  /** Commits reverting something this deployment first shipped: evidence, not a failure by itself. */
  revertedBy: string[];
}

/**
 * The changes each production deployment of one service shipped (DESIGN.md §4): the
 * commits reachable from its commit and not from any earlier production deployment
 * of the service in the same repository, grouped into PR changes. `deployments` are
 * in shipping order (finished_at, then id), so the result does not depend on input
 * order. The first resolved deployment per repository is the baseline, unless
 * `continuing`: the deployments follow earlier ones already derived (an append), and
 * `repos` holds only the commits those did not ship.
 */
export function shipChanges(
  deployments: readonly ProductionDeployment[],
  placements: readonly Placement[],
  repos: ReadonlyMap<string, RepoData>,
  options: { continuing?: boolean } = {},
): { shipments: Shipment[]; changes: DerivedChangeRow[]; shippedBy: Map<string, Int32Array> } {
  const shipments: Shipment[] = deployments.map(() => ({ commits: 0, changes: 0, baseline: false, revertedBy: [] }));
  const changes: DerivedChangeRow[] = [];
  /** Per repository, per commit: the ordinal of the deployment that first shipped it, or -1. */
  const shipped = new Map<string, Int32Array>();
  for (const [repo, data] of repos) {
    const { graph, prs } = data;
    const seen = new Uint8Array(graph.size);
    const prShipped = new Uint8Array(prs.prs.length);
    const shippedBy = new Int32Array(graph.size).fill(-1);
    shipped.set(repo, shippedBy);
    let baselineTaken = options.continuing ?? false;
    deployments.forEach((deployment, ordinal) => {
      const placement = placements[ordinal] as Placement;
      if (placement.status !== 'resolved' || placement.repo !== repo) return;
      const shipment = shipments[ordinal] as Shipment;
      const fresh = graph.walkNew(placement.commit, seen);
      for (const commit of fresh) shippedBy[commit] = ordinal;
      shipment.commits = fresh.length;
      if (!baselineTaken) {
        baselineTaken = true;
        shipment.baseline = true;
        for (const commit of fresh) {
          const pr = prs.prOfCommit[commit] as number;
          if (pr >= 0) prShipped[pr] = 1;
        }
        return;
      }
      const prCommits = new Map<number, number>();
      for (const commit of fresh) {
        const pr = prs.prOfCommit[commit] as number;
        if (pr < 0) changes.push(commitChange(deployment, graph, commit));
        else if (!prShipped[pr]) prCommits.set(pr, (prCommits.get(pr) ?? 0) + 1);
      }
      for (const [pr, count] of prCommits) {
        prShipped[pr] = 1;
        changes.push(prChange(deployment, repo, prs, pr, count));
      }
      shipment.changes = fresh.filter((commit) => prs.prOfCommit[commit] === -1).length + prCommits.size;
    });
    for (const [target, reverting] of data.reverts) {
      const resolved = graph.resolve(target);
      if (resolved.status !== 'resolved') continue;
      const ordinal = shippedBy[resolved.index] as number;
      if (ordinal >= 0) (shipments[ordinal] as Shipment).revertedBy.push(...reverting);
    }
  }
  return { shipments, changes, shippedBy: shipped };
}

/** One row per shipped commit: what lets a later deployment walk only what is new (see append.ts). */
export function shippedCommits(
  deployments: readonly ProductionDeployment[],
  repos: ReadonlyMap<string, RepoData>,
  shippedBy: ReadonlyMap<string, Int32Array>,
): DerivedCommitRow[] {
  const rows: DerivedCommitRow[] = [];
  for (const [repo, byCommit] of shippedBy) {
    const graph = (repos.get(repo) as RepoData).graph;
    byCommit.forEach((ordinal, commit) => {
      if (ordinal < 0) return;
      const deployment = deployments[ordinal] as ProductionDeployment;
      rows.push({ service: deployment.service, repo, sha: graph.shas[commit] as string, deployment_id: deployment.id });
    });
  }
  return rows;
}

function commitChange(deployment: ProductionDeployment, graph: CommitGraph, commit: number): DerivedChangeRow {
  const start = graph.authoredAt[commit] as number;
  const raw = deployment.finishedAt - start;
  return {
    service: deployment.service,
    change_key: `commit:${graph.repo}@${graph.shas[commit]}`,
    kind: 'commit',
    repo: graph.repo,
    pr_number: 0,
    title: '',
    commits: 1,
    start_at: start,
    start_source: 'authored',
    pr_created_at: null,
    first_review_at: null,
    merged_at: null,
    deployment_id: deployment.id,
    deployed_at: deployment.finishedAt,
    lead_seconds: seconds(Math.max(0, raw)),
    coding_seconds: null,
    pickup_seconds: null,
    review_seconds: null,
    deploy_seconds: null,
    clamped_stages: raw < 0 ? ['lead'] : [],
  };
}

function prChange(deployment: ProductionDeployment, repo: string, index: PullRequestIndex, position: number, commits: number): DerivedChangeRow {
  const pr = index.prs[position]!;
  const start = index.start[position] as number;
  const stages = breakdown(start, pr.createdAt, pr.firstReviewAt, pr.mergedAt, deployment.finishedAt);
  return {
    service: deployment.service,
    change_key: `pr:${repo}#${pr.number}`,
    kind: 'pr',
    repo,
    pr_number: pr.number,
    title: pr.title,
    commits,
    start_at: start,
    start_source: index.startSource[position] as 'first_commit' | 'pr_created',
    pr_created_at: pr.createdAt,
    first_review_at: pr.firstReviewAt,
    merged_at: pr.mergedAt,
    deployment_id: deployment.id,
    deployed_at: deployment.finishedAt,
    lead_seconds: seconds(Math.max(0, deployment.finishedAt - start)),
    ...stages,
  };
}

export interface Stages {
  coding_seconds: number;
  pickup_seconds: number | null;
  review_seconds: number | null;
  deploy_seconds: number;
  clamped_stages: string[];
}

/**
 * coding (start → created), pickup (created → first review), review (first review →
 * merge), deploy (merge → shipped). Each point is held at or after the one before it,
 * so a stage whose raw time would be negative (a rebased or amended commit authored
 * after the PR was opened, clock skew) is 0 and named in `clamped_stages`, and the
 * stages of a reviewed PR add up to its lead time. Without a review, pickup and review
 * are unknown (null), not 0.
 */
export function breakdown(start: number, created: number, firstReview: number | null, merged: number, shipped: number): Stages {
  const clamped: string[] = [];
  const hold = (stage: string, previous: number, next: number) => {
    if (next < previous) clamped.push(stage);
    return Math.max(previous, next);
  };
  const createdPoint = hold('coding', start, created);
  let mergedPoint: number;
  let pickup: number | null = null;
  let review: number | null = null;
  if (firstReview !== null) {
    const reviewPoint = hold('pickup', createdPoint, firstReview);
    mergedPoint = hold('review', reviewPoint, merged);
    pickup = seconds(reviewPoint - createdPoint);
    review = seconds(mergedPoint - reviewPoint);
  } else {
    mergedPoint = hold('review', createdPoint, merged);
  }
  const shippedPoint = hold('deploy', mergedPoint, shipped);
  if (shipped < start) clamped.push('lead');
  return {
    coding_seconds: seconds(createdPoint - start),
    pickup_seconds: pickup,
    review_seconds: review,
    deploy_seconds: seconds(shippedPoint - mergedPoint),
    clamped_stages: clamped,
  };
}
