import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { Batch } from '../types.js';
import type { GithubClient } from './client.js';
import type { GithubConfig } from './config.js';
import { parseCursor, planKind, type Plan } from './cursor.js';
import { serviceFor } from './events.js';
import { RepoNotFoundError } from './failures.js';
import { commitsSpec, deploymentsSpec, incidentsSpec, pullsSpec, releasesSpec, type KindsContext } from './kinds.js';
import { pageKind, type KindName, type KindSpec } from './paging.js';
import { REPO_SYNC } from './queries.js';

export interface RunContext {
  client: GithubClient;
  config: GithubConfig;
  agent: Config;
  log: Logger;
  cursor(scope: string): Promise<string | undefined>;
  /** The resolved `since` (ISO), and whether it was given (only a given one backfills). */
  since: { time: string; explicit: boolean };
  now: () => number;
}

export interface RepoTarget {
  nameWithOwner: string;
  /** Known when the repository came from an organisation listing. */
  defaultBranch?: string;
}

const MINUTE = 60_000;
/**
 * Re-read a little before the watermark: GitHub's updatedAt/createdAt are set when the
 * write commits, not always in order. Commits get days: a commit can be pushed (or
 * merged in locally) long after it was committed; commits merged through a pull
 * request come with the pull request anyway.
 */
const OVERLAP_MS: Record<KindName, number> = { commits: 3 * 24 * 60 * MINUTE, pulls: 2 * MINUTE, deployments: 2 * MINUTE, releases: 2 * MINUTE, incidents: 2 * MINUTE };
/** Kinds in the order they are written: deployments before the incidents that may name them. */
const ORDER: KindName[] = ['commits', 'pulls', 'deployments', 'releases', 'incidents'];

type Ref = { name?: string; target?: { history?: unknown } | null } | null | undefined;
interface RepoSyncData {
  repository: ({ nameWithOwner: string; defaultBranchRef?: Ref; baseRef?: Ref } & Record<string, unknown>) | null;
}

/**
 * Sync one repository: one RepoSync request answers its default branch and the first
 * page of every kind (so a re-run with nothing new costs that one request); each kind
 * then pages on as far as it needs, a batch per page. A kind resuming a crashed run is
 * left out of RepoSync and continues from its saved page cursor.
 */
export async function* syncRepo(run: RunContext, target: RepoTarget): AsyncGenerator<Batch> {
  const repo = target.nameWithOwner;
  const [owner, name] = repo.split('/') as [string, string];
  const kinds = ORDER.filter((kind) => kind !== 'releases' || run.config.releasesAsDeployments);
  const plans = {} as Record<KindName, Plan>;
  for (const kind of kinds) plans[kind] = planKind(parseCursor(await run.cursor(`${repo}:${kind}`)), run.since, OVERLAP_MS[kind]);
  const fresh = (kind: KindName) => kinds.includes(kind) && plans[kind].resumeAfter === undefined;
  // An incremental run asks for small first pages: usually nothing is new.
  const first = (kind: KindName, full: number, small: number) => (plans[kind]?.previous === undefined ? full : small);
  const hasBase = run.config.base !== undefined;

  const data = await run.client.query<RepoSyncData>(
    REPO_SYNC,
    {
      owner,
      name,
      base: run.config.base ?? target.defaultBranch ?? null,
      baseRef: hasBase ? `refs/heads/${run.config.base}` : '',
      hasBase,
      pulls: fresh('pulls'),
      pullsFirst: first('pulls', 50, 10),
      commits: fresh('commits'),
      commitsFirst: first('commits', 100, 50),
      commitsSince: plans.commits.floor,
      deployments: fresh('deployments'),
      deploymentsFirst: first('deployments', 50, 10),
      releases: fresh('releases'),
      releasesFirst: first('releases', 50, 10),
      incidents: fresh('incidents'),
      incidentsFirst: first('incidents', 50, 25),
      incidentsSince: plans.incidents.floor,
      incidentLabels: run.config.incidentLabels,
    },
    `${repo} (RepoSync)`,
  );
  const repository = data.repository;
  if (!repository) throw new RepoNotFoundError(`${repo}: GitHub has no such repository, or the token cannot see it`);
  const branchRef = hasBase ? repository.baseRef : repository.defaultBranchRef;
  if (hasBase && !branchRef) run.log.warn('base branch not found; no commits or pull requests collected from it', { repo, base: run.config.base });

  const ctx: KindsContext = {
    repo,
    owner,
    name,
    service: serviceFor(repo, run.agent),
    agent: run.agent,
    config: run.config,
    log: run.log,
    client: run.client,
    branch: run.config.base ?? branchRef?.name ?? undefined,
    incidentLabels: run.config.incidentLabels,
    now: run.now,
  };
  const specs: Record<KindName, () => KindSpec<any>> = {
    commits: () => commitsSpec(ctx),
    pulls: () => pullsSpec(ctx),
    deployments: () => deploymentsSpec(ctx),
    releases: () => releasesSpec(ctx),
    incidents: () => incidentsSpec(ctx),
  };
  const firstPages: Record<KindName, unknown> = {
    commits: branchRef?.target?.history ?? { pageInfo: { hasNextPage: false }, nodes: [] },
    pulls: repository.pullRequests,
    deployments: repository.deployments,
    releases: repository.releases,
    incidents: repository.issues,
  };
  for (const kind of kinds) {
    yield* pageKind(specs[kind](), plans[kind], repo, fresh(kind) ? firstPages[kind] : undefined, run.log);
  }
}
