import { AgentError, ConfigError, SourceAuthError, SourceUnavailableError } from '../../errors.js';
import type { Batch, CollectContext, Collector } from '../types.js';
import { GithubClient, graphqlBaseUrl, tokenFrom } from './client.js';
import { resolveSince } from '../since.js';
import { GithubConfig } from './config.js';
import { GithubUnreachableError, RepoNotFoundError } from './failures.js';
import { mergeConcurrent } from './merge.js';
import { realSleep, type Sleep } from './rate-limit.js';
import { discoverRepos } from './repos.js';
import { syncRepo, type RepoTarget, type RunContext } from './sync.js';

export interface GithubRunStats {
  repositories: number;
  failed: number;
  requests: number;
  points: number;
  /** Waits the rate-limit budget asked for, in milliseconds. */
  waits: number[];
}

export interface GithubCollectorOptions {
  /** Injected so tests assert the waits without waiting. */
  sleep?: Sleep;
  now?: () => number;
  /** Attempts per request through 5xx, network failures and rate limits. Default 6. */
  maxAttempts?: number;
  /** Told the request count and points of each run (tests, the benchmark). */
  onStats?: (stats: GithubRunStats) => void;
}

/** Consecutive repositories GitHub fails to answer before the run stops: GitHub is down, not one repository. */
const MAX_CONSECUTIVE_UNAVAILABLE = 3;

const fatal = (error: unknown) =>
  error instanceof SourceAuthError || error instanceof ConfigError || error instanceof GithubUnreachableError || (error as Error)?.name === 'AbortError' ||
  (error instanceof AgentError && error.code === 'github_query');

async function* collectGithub(ctx: CollectContext<GithubConfig>, options: GithubCollectorOptions): AsyncGenerator<Batch> {
  const now = options.now ?? Date.now;
  const client = new GithubClient({
    token: tokenFrom(ctx.env),
    baseUrl: graphqlBaseUrl(ctx.env.GITHUB_API_URL),
    fetch: ctx.fetch,
    log: ctx.log,
    sleep: options.sleep ?? realSleep,
    now,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  });
  const since = { time: resolveSince(ctx.config.since, now()), explicit: ctx.config.since !== undefined };
  const run: RunContext = { client, config: ctx.config, agent: ctx.agent, log: ctx.log, cursor: ctx.cursor, since, now };
  const failures: string[] = [];
  let repositories = 0;
  let unavailableInARow = 0;

  async function* guarded(target: RepoTarget): AsyncGenerator<Batch> {
    try {
      yield* syncRepo(run, target);
      unavailableInARow = 0;
    } catch (error) {
      if (fatal(error)) throw error;
      const reason = (error as Error).message;
      ctx.log.error('repository not collected', { repo: target.nameWithOwner, reason });
      failures.push(`${target.nameWithOwner} (${reason})`);
      if (!(error instanceof RepoNotFoundError) && ++unavailableInARow >= MAX_CONSECUTIVE_UNAVAILABLE) {
        throw new SourceUnavailableError(`GitHub failed ${unavailableInARow} repositories in a row; stopping (last: ${reason})`, {
          suggestion: 'try again later; what was collected is kept and the next run resumes from it',
          cause: error,
        });
      }
    }
  }
  async function* workers(): AsyncGenerator<AsyncGenerator<Batch>> {
    for await (const target of discoverRepos(client, ctx.config, ctx.log)) {
      repositories++;
      yield guarded(target);
    }
  }

  try {
    yield* mergeConcurrent(workers(), ctx.config.concurrency);
    ctx.log.info('github collection finished', { repositories, requests: client.requests, points: client.points });
  } finally {
    options.onStats?.({ repositories, failed: failures.length, requests: client.requests, points: client.points, waits: [...client.budget.waits] });
  }
  if (failures.length > 0) {
    throw new SourceUnavailableError(`${failures.length} of ${repositories} GitHub repositories were not collected: ${failures.join('; ')}`, {
      suggestion: 'the other repositories were collected; fix the names or access and run again',
    });
  }
}

export function createGithubCollector(options: GithubCollectorOptions = {}): Collector<GithubConfig> {
  return {
    id: 'github',
    description: 'Collect merged pull requests, commits, deployments, releases and incident issues from GitHub (GraphQL; GITHUB_TOKEN, GITHUB_API_URL)',
    configSchema: GithubConfig,
    flags: [
      { flags: '--repo <owner/name...>', description: 'repositories to collect', key: 'repos' },
      { flags: '--org <login>', description: 'every repository of this organisation or user', key: 'org' },
      { flags: '--include <glob...>', description: 'only repositories whose name matches (svc-*)', key: 'include' },
      { flags: '--exclude <glob...>', description: 'skip repositories whose name matches', key: 'exclude' },
      { flags: '--include-archived', description: 'also archived repositories (skipped by default)', key: 'includeArchived' },
      { flags: '--include-forks', description: 'also forks (skipped by default)', key: 'includeForks' },
      { flags: '--base <branch>', description: 'the branch whose merged PRs and history count (default: each repository\'s default branch)', key: 'base' },
      { flags: '--incident-label <label...>', description: 'issues with any of these labels are incidents (default: incident)', key: 'incidentLabels' },
      { flags: '--releases-as-deployments', description: 'published releases also count as production deployments', key: 'releasesAsDeployments' },
      { flags: '--since <date>', description: 'how far back: 2025-01-01, an ISO time or 90d (default 180d); earlier than before backfills', key: 'since' },
      { flags: '--environment <name=env...>', description: 'map a GitHub environment to a stored one (prod-eu=production)', key: 'environments' },
      { flags: '--concurrency <n>', description: 'repositories synced at once (default 4)', key: 'concurrency' },
    ],
    examples: [
      'GITHUB_TOKEN=... dora collect github --repo acme/api acme/web',
      'dora collect github --org acme --exclude "sandbox-*" --since 2025-01-01',
      'dora collect github --org acme --incident-label incident outage --environment prod-eu=production',
      'GITHUB_API_URL=https://github.example.com/api dora collect github --org platform   # GitHub Enterprise Server',
    ],
    collect: (ctx) => collectGithub(ctx, options),
  };
}

export const githubCollector = createGithubCollector();
