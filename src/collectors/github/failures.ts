import { AgentError, ConfigError, SourceAuthError, SourceUnavailableError } from '../../errors.js';

/** A repository GitHub does not know, or does not show this token: that repository is skipped, the others go on. */
export class RepoNotFoundError extends SourceUnavailableError {}

/** No server at GITHUB_API_URL: nothing else will work either, so the run stops. */
export class GithubUnreachableError extends SourceUnavailableError {}

/** What to do about a failed request: wait and try again, or stop with an error a user can act on. */
export type Verdict = { retry: true; waitMs: number; reason: string; rateLimited: boolean } | { retry: false; error: Error };

interface GraphqlFailure {
  name: string;
  errors?: { type?: string; message?: string }[];
  headers?: Record<string, string | undefined>;
  status?: number;
  message: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

const TOKEN_HINT = 'create a token with the repo scope (read:org too for --org) and export GITHUB_TOKEN';
const MAX_WAIT_MS = 65 * 60_000;

export interface ClassifyContext {
  attempt: number;
  now: number;
  /** What was asked, for messages: `acme/api (RepoSync)`. */
  what: string;
  endpoint: string;
  /** Whether GitHub has answered any request of this run (an unreachable address is then a transient failure). */
  answeredBefore: boolean;
  saneReset(resetMs: number): boolean;
}

/** Exponential back-off from `base`, capped. */
const backoff = (base: number, attempt: number, cap = 15 * 60_000) => Math.min(cap, base * 2 ** (attempt - 1));

/** How long a rate-limited answer asks us to wait: Retry-After, else the reset, else a back-off (60 s doubling). */
function rateWait(headers: Record<string, string | undefined>, context: ClassifyContext): number {
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, MAX_WAIT_MS);
  const reset = Number(headers['x-ratelimit-reset']) * 1000;
  if (headers['x-ratelimit-remaining'] === '0' && context.saneReset(reset)) return Math.max(1000, reset - context.now + 1000);
  return backoff(60_000, context.attempt);
}

/** The scopes a GraphQL INSUFFICIENT_SCOPES error or the x-accepted-oauth-scopes header names. */
function missingScopes(message: string, headers: Record<string, string | undefined>): string {
  const listed = /requires one of the following scopes: \[([^\]]*)\]/.exec(message)?.[1];
  const scopes = (listed ?? headers['x-accepted-oauth-scopes'] ?? '').replace(/['"\s]/g, '').split(',').filter(Boolean);
  return scopes.length ? scopes.join(' or ') : 'repo';
}

export function classify(error: unknown, context: ClassifyContext): Verdict {
  const failure = error as GraphqlFailure;
  if (failure?.name === 'AbortError') return { retry: false, error: failure as unknown as Error };
  const headers = failure?.headers ?? failure?.response?.headers ?? {};
  const retry = (waitMs: number, reason: string, rateLimited = false): Verdict => ({ retry: true, waitMs, reason, rateLimited });

  if (failure?.name === 'GraphqlResponseError') {
    const errors = failure.errors ?? [];
    const types = new Set(errors.map((item) => item.type));
    const text = errors.map((item) => item.message ?? '').join('; ');
    if (types.has('RATE_LIMITED') || /rate limit/i.test(text)) return retry(rateWait(headers, context), text, true);
    if (types.has('INSUFFICIENT_SCOPES')) {
      const scopes = missingScopes(text, headers);
      return {
        retry: false,
        error: new SourceAuthError(`the token in GITHUB_TOKEN lacks a scope GitHub requires for ${context.what}: ${scopes}`, {
          suggestion: `grant the ${scopes} scope to the token (granted now: ${headers['x-oauth-scopes'] || 'unknown'})`,
        }),
      };
    }
    if (types.has('NOT_FOUND')) return { retry: false, error: new RepoNotFoundError(`${context.what}: ${text}`, { suggestion: 'check the name; a private repository needs a token with the repo scope' }) };
    if (types.has('FORBIDDEN')) {
      // A fine-grained token or an App without one of the read permissions: the same for every repository.
      return {
        retry: false,
        error: new SourceAuthError(`GitHub refused the token access for ${context.what}: ${text}`, {
          suggestion: 'a fine-grained token or GitHub App needs read access to Metadata, Contents, Pull requests, Issues and Deployments',
        }),
      };
    }
    // GitHub's own time-outs arrive as 200 with "Something went wrong while executing your query".
    if (/something went wrong|timeout|timed out/i.test(text)) return retry(backoff(1000, context.attempt), text);
    return { retry: false, error: new AgentError('github_query', `GitHub rejected the query for ${context.what}: ${text}`) };
  }

  const status = failure?.status;
  if (typeof status !== 'number') return { retry: false, error: failure as unknown as Error };
  // A 502 body is an HTML page: keep its first line, briefly.
  const message = (failure.message || `HTTP ${status}`).split('\n')[0]!.replace(/<[^>]*>/g, ' ').trim().slice(0, 200) || `HTTP ${status}`;
  if (status === 401) {
    return { retry: false, error: new SourceAuthError(`GitHub refused the token in GITHUB_TOKEN (401 ${message})`, { suggestion: TOKEN_HINT }) };
  }
  if (status === 403 || status === 429) {
    if (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0' || /rate limit|abuse/i.test(message)) {
      return retry(rateWait(headers, context), `${status} ${message}`, true);
    }
    return {
      retry: false,
      error: new SourceAuthError(`GitHub refused access (${status}): ${message}`, {
        suggestion: 'check the token\'s scopes and, for an organisation with SAML single sign-on, authorise the token for it',
      }),
    };
  }
  if (status === 404) {
    return {
      retry: false,
      error: new ConfigError(`no GitHub GraphQL endpoint at ${context.endpoint} (404)`, {
        suggestion: 'set GITHUB_API_URL to https://api.github.com, or https://HOST/api for GitHub Enterprise Server',
      }),
    };
  }
  // A first request that finds no server (a mistyped GITHUB_API_URL) is not worth half a minute of retries.
  if (status === 500 && !failure.response && !context.answeredBefore && /ENOTFOUND|ECONNREFUSED|EAI_AGAIN|Invalid URL|bad port/i.test(message)) {
    return {
      retry: false,
      error: new GithubUnreachableError(`cannot reach GitHub at ${context.endpoint}: ${message}`, {
        suggestion: 'check GITHUB_API_URL (https://api.github.com, or https://HOST/api for GitHub Enterprise Server) and the network',
      }),
    };
  }
  // 5xx, and network failures (which @octokit/request reports as status 500).
  if (status >= 500) return retry(backoff(1000, context.attempt, 60_000), `${status} ${message}`);
  return { retry: false, error: new SourceUnavailableError(`GitHub answered ${status} for ${context.what}: ${message}`) };
}
