import { SourceUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * A GET with bounded retries, shared by the REST incident collectors: network errors,
 * 429 and 5xx are retried, waiting what the source states (Retry-After first, then the
 * source's own rate-limit headers on a 429, capped at 5 minutes), else exponential
 * back-off. Any other refusal is the caller's to name (`refuse`).
 */
export interface RetryingGet {
  /** The source as users know it, for messages: `PagerDuty`. */
  source: string;
  fetch: typeof fetch;
  log: Logger;
  /** Injected so tests assert the waits instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
  maxRetries: number;
  signal?: AbortSignal;
  headers: Record<string, string>;
  /** Said when the API cannot be reached at all (the URL variable, EU hosts). */
  unreachableSuggestion: string;
  /** Headers stating the seconds to wait on a 429, after Retry-After. */
  rateLimitHeaders: string[];
  backoffMs: (attempt: number) => number;
  /** The error for a refusal that is not retried (401, 403, 404, ...), given the source's own message. */
  refuse(status: number, path: string, message: string): Error;
  /** The source's error text from a refused response. */
  errorMessage(response: Response): Promise<string>;
  /** Counts every request sent. */
  onRequest?: () => void;
}

const MAX_STATED_WAIT_S = 300;

export async function getJsonWithRetries(baseUrl: string, path: string, query: [string, string][], options: RetryingGet): Promise<unknown> {
  const search = new URLSearchParams(query).toString();
  const url = `${baseUrl}${path}${search ? `?${search}` : ''}`;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      options.onRequest?.();
      response = await options.fetch(url, { headers: options.headers, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      // A stopped run (SIGTERM) is not a network failure: stop now, do not back off and retry.
      if (options.signal?.aborted) throw error;
      if (attempt >= options.maxRetries) {
        throw new SourceUnavailableError(`cannot reach the ${options.source} API at ${baseUrl}: ${(error as Error).message}`, {
          cause: error,
          suggestion: options.unreachableSuggestion,
        });
      }
      await wait(options, attempt, undefined, path, 'network');
      continue;
    }
    if (response.ok) return response.json();
    if (response.status === 429 || response.status >= 500) {
      if (attempt >= options.maxRetries) {
        throw new SourceUnavailableError(`${options.source} answered GET ${path} with ${response.status} after ${options.maxRetries + 1} attempts`, {
          suggestion: 'run the collection again later; it resumes where it stopped',
        });
      }
      await wait(options, attempt, response.headers, path, String(response.status));
      continue;
    }
    throw options.refuse(response.status, path, await options.errorMessage(response));
  }
}

async function wait(options: RetryingGet, attempt: number, headers: Headers | undefined, path: string, reason: string): Promise<void> {
  // The source's rate-limit headers are on every answer: they only mean a wait on a 429.
  const names = ['retry-after', ...(reason === '429' ? options.rateLimitHeaders : [])];
  const stated = names
    .map((name) => headers?.get(name))
    .map((value) => (value ? Number(value) : Number.NaN))
    .find((value) => Number.isFinite(value) && value >= 0);
  const ms = stated !== undefined ? Math.min(stated, MAX_STATED_WAIT_S) * 1000 : options.backoffMs(attempt);
  options.log.warn(`${options.source.toLowerCase()} request failed; retrying`, { path, reason, wait_ms: ms, attempt: attempt + 1 });
  await options.sleep(ms);
}
