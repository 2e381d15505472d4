import type { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { eventSchemas, type EventKind } from '../../events/schemas.js';
import type { Logger } from '../../log.js';
import { globMatcher, type GithubConfig } from './config.js';
import type { CommitNode, DeploymentNode, PullNode, ReleaseNode } from './schema.js';

/** What every transform needs to know about the repository it maps. */
export interface RepoContext {
  repo: string;
  service: string;
  agent: Config;
  config: GithubConfig;
  log: Logger;
}

type Output<K extends EventKind> = z.output<(typeof eventSchemas)[K]>;

/** Build a canonical event through its schema (normalised times, lower-case SHAs); a bad one is reported and skipped. */
export function toEvent<K extends EventKind>(kind: K, input: Record<string, unknown>, where: string, log: Logger): Output<K> | undefined {
  const result = eventSchemas[kind].safeParse({ kind, ...input });
  if (result.success) return result.data as Output<K>;
  const issue = result.error.issues[0];
  log.warn('github item skipped: not a valid event', { where, field: issue?.path.join('.'), reason: issue?.message });
  return undefined;
}

/** The catalog's service whose repos include this repository, else the repository name without the owner. */
export function serviceFor(repo: string, agent: Config): string {
  const wanted = repo.toLowerCase();
  const owner = Object.keys(agent.services)
    .sort()
    .find((service) => agent.services[service]!.repos.some((name) => name.toLowerCase() === wanted));
  return owner ?? repo.split('/')[1] ?? repo;
}

/**
 * The environment name to store: an explicit `environments` mapping first; else a name
 * in the agent's `production` list (any case) becomes that list's first name, so
 * `Prod` and `production` count as one; else GitHub's name unchanged.
 */
export function canonicalEnvironment(name: string, config: GithubConfig, agent: Config): string {
  for (const [pattern, target] of Object.entries(config.environments)) {
    if (globMatcher(pattern)(name)) return target;
  }
  const lower = name.toLowerCase();
  if (agent.production.some((production) => production.toLowerCase() === lower)) return agent.production[0]!;
  return name;
}

export const isProduction = (environment: string, agent: Config) =>
  agent.production.some((production) => production.toLowerCase() === environment.toLowerCase());

export function commitEvent(repo: string, node: CommitNode, log: Logger) {
  return toEvent(
    'commit',
    {
      repo,
      sha: node.oid,
      parents: (node.parents?.nodes ?? []).flatMap((parent) => (parent ? [parent.oid] : [])),
      author: node.author?.user?.login ?? node.author?.name ?? undefined,
      authored_at: node.authoredDate,
      committed_at: node.committedDate,
      message: node.message ?? undefined,
    },
    `${repo} commit ${node.oid}`,
    log,
  );
}

/** The first review by someone other than the author (a PR author's own comment is not a review). */
function firstReviewAt(node: PullNode): string | undefined {
  const author = node.author?.login;
  const times = (node.reviews?.nodes ?? [])
    .filter((review) => review?.submittedAt && (author === undefined || review.author?.login !== author))
    .map((review) => review!.submittedAt!)
    .sort();
  return times[0];
}

export function pullEvent(ctx: RepoContext, node: PullNode, commits: string[]) {
  return toEvent(
    'pull_request',
    {
      repo: ctx.repo,
      number: node.number,
      title: node.title,
      author: node.author?.login,
      created_at: node.createdAt,
      first_review_at: firstReviewAt(node),
      merged_at: node.mergedAt,
      merge_sha: node.mergeCommit?.oid,
      base: node.baseRefName,
      commits,
      labels: (node.labels?.nodes ?? []).flatMap((label) => (label ? [label.name] : [])),
      url: node.url,
    },
    `${ctx.repo} pull request #${node.number}`,
    ctx.log,
  );
}

const SETTLING = new Set(['PENDING', 'QUEUED', 'IN_PROGRESS', 'WAITING']);

/**
 * A deployment's outcome from its status history, oldest first: success if any status
 * reached SUCCESS (a later INACTIVE only means a newer deployment replaced it), at the
 * first success; else failure at a FAILURE/ERROR; else cancelled when it went INACTIVE
 * without succeeding; else still in progress (not terminal).
 */
export function deploymentOutcome(node: DeploymentNode) {
  const statuses = (node.statuses?.nodes ?? []).flatMap((status) => (status ? [status] : [])).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const success = statuses.find((status) => status.state === 'SUCCESS');
  const last = statuses.at(-1);
  if (success) return { status: 'success' as const, finishedAt: success.createdAt, terminal: true, statuses, url: success.environmentUrl ?? success.logUrl };
  if (last && (last.state === 'FAILURE' || last.state === 'ERROR')) return { status: 'failure' as const, finishedAt: last.createdAt, terminal: true, statuses, url: last.logUrl };
  if (last && last.state === 'INACTIVE') return { status: 'cancelled' as const, finishedAt: last.createdAt, terminal: true, statuses, url: last.logUrl };
  const settling = !last || SETTLING.has(last.state);
  return { status: 'in_progress' as const, finishedAt: last?.createdAt ?? node.createdAt, terminal: !settling, statuses, url: last?.logUrl };
}

export const deploymentId = (repo: string, databaseId: number) => `github:${repo}:${databaseId}`;

export function deploymentEvent(ctx: RepoContext, node: DeploymentNode) {
  const outcome = deploymentOutcome(node);
  const original = node.environment ?? 'unknown';
  const environment = canonicalEnvironment(original, ctx.config, ctx.agent);
  return toEvent(
    'deployment',
    {
      id: deploymentId(ctx.repo, node.databaseId),
      service: ctx.service,
      environment,
      status: outcome.status,
      finished_at: outcome.finishedAt,
      started_at: node.createdAt,
      source: 'github',
      repo: ctx.repo,
      sha: node.commitOid,
      url: outcome.url ?? undefined,
      ...(environment !== original ? { github_environment: original } : {}),
      ...(node.ref?.name ? { ref: node.ref.name } : {}),
      ...(node.task ? { task: node.task } : {}),
      ...(node.creator?.login ? { creator: node.creator.login } : {}),
      status_history: outcome.statuses.map((status) => `${status.state.toLowerCase()}@${status.createdAt}`).join(' '),
    },
    `${ctx.repo} deployment ${node.databaseId}`,
    ctx.log,
  );
}

/** A published release as a production deployment of its tag's commit (drafts are not events). */
export function releaseEvent(ctx: RepoContext, node: ReleaseNode) {
  if (node.isDraft || !node.publishedAt) return undefined;
  return toEvent(
    'deployment',
    {
      id: `github:${ctx.repo}:release:${node.databaseId}`,
      service: ctx.service,
      environment: node.isPrerelease ? 'prerelease' : ctx.agent.production[0],
      status: 'success',
      finished_at: node.publishedAt,
      source: 'github-release',
      repo: ctx.repo,
      sha: node.tagCommit?.oid,
      version: node.tagName,
      url: node.url,
    },
    `${ctx.repo} release ${node.tagName}`,
    ctx.log,
  );
}
