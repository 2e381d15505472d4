import type { CanonicalEvent } from '../../events/schemas.js';
import type { GithubClient } from './client.js';
import { commitEvent, deploymentEvent, deploymentOutcome, pullEvent, releaseEvent, type RepoContext } from './events.js';
import { IncidentLinker, incidentEvent } from './incidents.js';
import type { KindSpec } from './paging.js';
import { DEPLOYMENTS_PAGE, HISTORY_PAGE, INCIDENTS_PAGE, PULL_COMMITS, PULLS_PAGE, RELEASES_PAGE } from './queries.js';
import { CommitNode, DeploymentNode, IncidentNode, PullNode, RawConnection, ReleaseNode, describeNode, parseNodes } from './schema.js';

/**
 * One spec per kind of item: how to fetch its next page, the time it is ordered by,
 * and how its nodes become canonical events.
 */

/** A deployment or draft release this young may still change, so it holds the watermark. */
const SETTLE_MS = 7 * 86_400_000;
/** GitHub lists at most 250 commits of a pull request. */
const PR_COMMIT_LIMIT = 250;

export interface KindsContext extends RepoContext {
  client: GithubClient;
  owner: string;
  name: string;
  /** The branch whose history and merged PRs count (the default branch unless configured). */
  branch: string | undefined;
  incidentLabels: string[];
  now: () => number;
}

type Repository = { repository?: Record<string, unknown> | null } | undefined;

/** What a follow-up page query answered for `field` of the repository. */
const field = (data: Repository, name: string) => data?.repository?.[name];

export function commitsSpec(ctx: KindsContext): KindSpec<CommitNode> {
  return {
    kind: 'commits',
    noun: 'commit',
    order: 'desc',
    // history(since:) filters by time itself; its order is git's, not strictly by date.
    stopAtFloor: false,
    schema: CommitNode,
    timeOf: (node) => node.committedDate,
    // A commit never changes: a short prefix keeps the saved list small over the 3-day overlap.
    versionOf: (node) => node.oid.slice(0, 16),
    fetch: async (after, plan) => {
      if (!ctx.branch) return undefined;
      const data = await ctx.client.query<Repository>(
        HISTORY_PAGE,
        { owner: ctx.owner, name: ctx.name, ref: `refs/heads/${ctx.branch}`, commitsFirst: 100, commitsSince: plan.floor, after },
        `${ctx.repo} commits`,
      );
      return (field(data, 'ref') as { target?: { history?: unknown } } | null)?.target?.history;
    },
    toEvents: async (nodes) => nodes.flatMap((node) => commitEvent(ctx.repo, node, ctx.log) ?? []),
  };
}

/** A PR's commits beyond the 20 asked for inline. */
async function remainingCommits(ctx: KindsContext, node: PullNode, commits: CommitNode[]): Promise<void> {
  let info = node.commits.pageInfo;
  while (info.hasNextPage && info.endCursor && commits.length < PR_COMMIT_LIMIT) {
    const data = await ctx.client.query<Repository>(
      PULL_COMMITS,
      { owner: ctx.owner, name: ctx.name, number: node.number, after: info.endCursor },
      `${ctx.repo} pull request #${node.number} commits`,
    );
    const connection = RawConnection.safeParse((field(data, 'pullRequest') as { commits?: unknown } | null)?.commits);
    if (!connection.success || !connection.data.nodes?.length || connection.data.pageInfo.endCursor === info.endCursor) break;
    const nodes = connection.data.nodes.map((item) => (item as { commit?: unknown } | null)?.commit);
    commits.push(...parseNodes(CommitNode, nodes, describeNode(ctx.repo, 'commit'), ctx.log));
    info = connection.data.pageInfo;
  }
}

export function pullsSpec(ctx: KindsContext): KindSpec<PullNode> {
  return {
    kind: 'pulls',
    noun: 'pull request',
    order: 'desc',
    stopAtFloor: true,
    schema: PullNode,
    timeOf: (node) => node.updatedAt,
    versionOf: (node) => `${node.number}@${node.updatedAt}`,
    fetch: async (after) => {
      const data = await ctx.client.query<Repository>(PULLS_PAGE, { owner: ctx.owner, name: ctx.name, base: ctx.branch ?? null, after }, `${ctx.repo} pull requests`);
      return field(data, 'pullRequests');
    },
    toEvents: async (nodes) => {
      const events: CanonicalEvent[] = [];
      for (const node of nodes) {
        if (!node.mergedAt || (ctx.branch !== undefined && node.baseRefName !== ctx.branch)) continue;
        const inline = (node.commits.nodes ?? []).map((item) => (item as { commit?: unknown } | null)?.commit);
        const commits = parseNodes(CommitNode, inline, describeNode(ctx.repo, 'commit'), ctx.log);
        await remainingCommits(ctx, node, commits);
        for (const commit of commits) {
          const event = commitEvent(ctx.repo, commit, ctx.log);
          if (event) events.push(event);
        }
        const event = pullEvent(ctx, node, commits.map((commit) => commit.oid));
        if (event) events.push(event);
      }
      return events;
    },
  };
}

export function deploymentsSpec(ctx: KindsContext): KindSpec<DeploymentNode> {
  return {
    kind: 'deployments',
    noun: 'deployment',
    order: 'desc',
    stopAtFloor: true,
    schema: DeploymentNode,
    timeOf: (node) => node.createdAt,
    holds: (node) => !deploymentOutcome(node).terminal && Date.parse(node.createdAt) > ctx.now() - SETTLE_MS,
    // Whether GitHub moves updatedAt when a status is added is undocumented: the statuses say it themselves.
    versionOf: (node) => `${node.databaseId}@${node.statuses?.totalCount ?? 0}@${deploymentOutcome(node).statuses.at(-1)?.createdAt ?? ''}`,
    fetch: async (after) =>
      field(await ctx.client.query<Repository>(DEPLOYMENTS_PAGE, { owner: ctx.owner, name: ctx.name, after }, `${ctx.repo} deployments`), 'deployments'),
    toEvents: async (nodes) => nodes.flatMap((node) => deploymentEvent(ctx, node) ?? []),
  };
}

export function releasesSpec(ctx: KindsContext): KindSpec<ReleaseNode> {
  return {
    kind: 'releases',
    noun: 'release',
    order: 'desc',
    stopAtFloor: true,
    schema: ReleaseNode,
    timeOf: (node) => node.createdAt,
    holds: (node) => node.isDraft && Date.parse(node.createdAt) > ctx.now() - SETTLE_MS,
    versionOf: (node) => `${node.databaseId}@${node.publishedAt ?? 'draft'}`,
    fetch: async (after) =>
      field(await ctx.client.query<Repository>(RELEASES_PAGE, { owner: ctx.owner, name: ctx.name, after }, `${ctx.repo} releases`), 'releases'),
    toEvents: async (nodes) => nodes.flatMap((node) => releaseEvent(ctx, node) ?? []),
  };
}

export function incidentsSpec(ctx: KindsContext): KindSpec<IncidentNode> {
  const linker = new IncidentLinker(ctx.client, ctx);
  return {
    kind: 'incidents',
    noun: 'issue',
    order: 'asc',
    stopAtFloor: false,
    schema: IncidentNode,
    timeOf: (node) => node.updatedAt,
    versionOf: (node) => `${node.number}@${node.updatedAt}`,
    fetch: async (after, plan) => {
      const variables = { owner: ctx.owner, name: ctx.name, incidentsSince: plan.floor, incidentLabels: ctx.incidentLabels, after };
      return field(await ctx.client.query<Repository>(INCIDENTS_PAGE, variables, `${ctx.repo} incident issues`), 'issues');
    },
    toEvents: async (nodes) => {
      const events: CanonicalEvent[] = [];
      for (const node of nodes) {
        const event = incidentEvent(ctx, node, await linker.link(node));
        if (event) events.push(event);
      }
      return events;
    },
  };
}
