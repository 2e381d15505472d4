import { graphql } from '@octokit/graphql';
import { ConfigError, SourceAuthError, SourceUnavailableError } from '../../errors.js';
import { registerSecret, type Logger } from '../../log.js';
import { classify } from './failures.js';
import { RateBudget, type Sleep } from './rate-limit.js';
import { RateLimit } from './schema.js';

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * The GraphQL base URL from GITHUB_API_URL: `https://api.github.com` (GraphQL at
 * /graphql), GitHub Enterprise Server as `https://HOST/api` or the REST form
 * `https://HOST/api/v3` (both -> /api/graphql), or a full `.../graphql` URL.
 */
export function graphqlBaseUrl(apiUrl: string | undefined): string {
  const raw = (apiUrl?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new ConfigError(`GITHUB_API_URL is not an http(s) URL: ${raw}`, {
      suggestion: 'use https://api.github.com, or https://HOST/api for GitHub Enterprise Server',
    });
  }
  return raw.replace(/\/graphql$/, '').replace(/\/api\/v3$/, '/api');
}

/** The token from GITHUB_TOKEN, registered as a secret so it never reaches a log line. */
export function tokenFrom(env: NodeJS.ProcessEnv): string {
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) {
    throw new SourceAuthError('GITHUB_TOKEN is not set: the GitHub collector needs a token', {
      suggestion: 'create a token with the repo scope (read:org too for --org) and export GITHUB_TOKEN=...',
    });
  }
  registerSecret(token);
  return token;
}

export interface ClientOptions {
  token: string;
  baseUrl: string;
  fetch: typeof fetch;
  log: Logger;
  sleep: Sleep;
  now: () => number;
  signal?: AbortSignal;
  /** Attempts per request through 5xx, network failures and rate limits. Default 6. */
  maxAttempts?: number;
  /** Points kept in reserve before waiting for the reset. Default 100. */
  reserve?: number;
}

/**
 * GitHub's GraphQL API through @octokit/graphql, with one shared rate-limit budget,
 * bounded retries with back-off, and errors a user can act on. Counts requests and
 * points for the run summary and the benchmark.
 */
export class GithubClient {
  requests = 0;
  points = 0;
  private answered = 0;
  readonly budget: RateBudget;
  private readonly gql: typeof graphql;

  constructor(private readonly options: ClientOptions) {
    this.budget = new RateBudget({ log: options.log, sleep: options.sleep, now: options.now, reserve: options.reserve ?? 100, ...(options.signal ? { signal: options.signal } : {}) });
    this.gql = graphql.defaults({ baseUrl: options.baseUrl, headers: { authorization: `bearer ${options.token}` } });
  }

  get endpoint(): string {
    return `${this.options.baseUrl}/graphql`;
  }

  /** Send one query; `what` names it in messages (`acme/api (RepoSync)`). */
  async query<T>(document: string, variables: Record<string, unknown>, what: string): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      await this.budget.ready();
      this.requests++;
      try {
        const data = await this.gql<T & { rateLimit?: unknown }>(document, {
          ...variables,
          request: { fetch: this.options.fetch, ...(this.options.signal ? { signal: this.options.signal } : {}) },
        });
        this.answered++;
        const rate = RateLimit.safeParse(data?.rateLimit);
        if (rate.success) {
          this.points += rate.data.cost;
          this.budget.observe(rate.data);
        }
        return data;
      } catch (error) {
        const verdict = classify(error, {
          attempt,
          now: this.options.now(),
          what,
          endpoint: this.endpoint,
          answeredBefore: this.answered > 0,
          saneReset: (reset) => this.budget.saneReset(reset),
        });
        if (!verdict.retry) throw verdict.error;
        if (attempt >= maxAttempts) {
          throw new SourceUnavailableError(`GitHub did not answer ${what} after ${attempt} attempts (last: ${verdict.reason})`, {
            suggestion: 'try again later; what was collected so far is kept and the next run resumes from it',
            cause: error,
          });
        }
        this.options.log.warn(verdict.rateLimited ? 'GitHub rate limited a request; waiting' : 'GitHub request failed; retrying', {
          what,
          reason: verdict.reason,
          wait_s: Math.round(verdict.waitMs / 100) / 10,
          attempt,
        });
        this.budget.pause(verdict.waitMs);
      }
    }
  }
}
