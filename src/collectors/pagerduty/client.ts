import { AgentError, ExitCode, SourceAuthError, SourceUnavailableError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { getJsonWithRetries } from '../rest.js';
import { ApiError, IncidentOne, IncidentPage, LogEntries } from './schema.js';

/**
 * HTTP for the PagerDuty REST API v2: token header, v2 Accept header, offset paging
 * (`limit`/`offset`/`more`), and bounded retries on 429 (waiting `Retry-After`, else
 * `ratelimit-reset`, else exponential), 5xx and network errors.
 * https://developer.pagerduty.com/docs/rest-api-rate-limits
 */

export const DEFAULT_PAGERDUTY_API_URL = 'https://api.pagerduty.com';
const ACCEPT = 'application/vnd.pagerduty+json;version=2';
/** PagerDuty refuses `offset + limit` above 10,000: the caller narrows the window before. */
export const MAX_OFFSET = 10_000;

export interface PagerDutyClientOptions {
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  log: Logger;
  /** Injected so tests assert the waits instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
  /** Retries after a 429, a 5xx or a network error. Default 5. */
  maxRetries?: number;
  signal?: AbortSignal;
}

/** A request PagerDuty refused (4xx other than 401, 403 and 429). */
export class PagerDutyRequestError extends AgentError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('pagerduty_request', message, { exitCode: ExitCode.sourceUnavailable });
  }
}

export const backoffMs = (attempt: number) => Math.min(60_000, 1_000 * 2 ** attempt);

export type Query = [string, string][];

export class PagerDutyClient {
  private readonly baseUrl: string;
  /** Requests sent, for the run summary and the tests. */
  requests = 0;

  constructor(private readonly options: PagerDutyClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** One page of `GET /incidents`. Items are returned unparsed, so one bad incident does not lose the page. */
  async incidents(query: Query, offset: number, limit: number): Promise<{ items: unknown[]; more: boolean }> {
    const body = await this.get('/incidents', [...query, ['offset', String(offset)], ['limit', String(limit)]]);
    const parsed = IncidentPage.safeParse(body);
    if (!parsed.success) throw new SourceUnavailableError('PagerDuty answered GET /incidents without an `incidents` list');
    return { items: parsed.data.incidents, more: parsed.data.more === true };
  }

  /** `GET /incidents/{id}`; undefined when PagerDuty no longer knows it (404). */
  async incident(id: string, query: Query): Promise<unknown> {
    try {
      const body = await this.get(`/incidents/${encodeURIComponent(id)}`, query);
      const parsed = IncidentOne.safeParse(body);
      return parsed.success ? parsed.data.incident : undefined;
    } catch (error) {
      if (error instanceof PagerDutyRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** When the incident's log says it was resolved (the latest `resolve_log_entry`), if it says so. */
  async resolvedAtFromLog(id: string): Promise<string | undefined> {
    const body = await this.get(`/incidents/${encodeURIComponent(id)}/log_entries`, [['is_overview', 'true'], ['limit', '100']]);
    const parsed = LogEntries.safeParse(body);
    if (!parsed.success) return undefined;
    return parsed.data.log_entries
      .filter((entry) => entry.type === 'resolve_log_entry')
      .map((entry) => entry.created_at)
      .sort()
      .at(-1);
  }

  private get(path: string, query: Query): Promise<unknown> {
    return getJsonWithRetries(this.baseUrl, path, query, {
      source: 'PagerDuty',
      fetch: this.options.fetch,
      log: this.options.log,
      sleep: this.options.sleep,
      maxRetries: this.options.maxRetries ?? 5,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      headers: { Accept: ACCEPT, Authorization: `Token token=${this.options.token}`, 'Content-Type': 'application/json' },
      unreachableSuggestion:
        'check PAGERDUTY_API_URL (EU accounts: https://api.eu.pagerduty.com) and the network; the next run resumes where this one stopped',
      // PagerDuty's `ratelimit-reset` says the seconds until the bucket refills.
      rateLimitHeaders: ['ratelimit-reset'],
      backoffMs,
      refuse: refusal,
      errorMessage,
      onRequest: () => void this.requests++,
    });
  }
}

function refusal(status: number, path: string, error: string): Error {
  if (status === 401) {
    return new SourceAuthError(`PagerDuty refused the token in PAGERDUTY_TOKEN (401${error ? ` ${error}` : ''})`, {
      suggestion: 'create a read-only REST API key (Integrations > API Access Keys) and export PAGERDUTY_TOKEN=<key>',
    });
  }
  if (status === 403) {
    return new SourceAuthError(`PagerDuty refused GET ${path} (403${error ? ` ${error}` : ''}): the key may not read incidents`, {
      suggestion: 'use an account-level read-only API key, or a user key of someone who can see these services',
    });
  }
  return new PagerDutyRequestError(status, `PagerDuty answered GET ${path} with ${status}${error ? `: ${error}` : ''}`);
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = ApiError.safeParse(JSON.parse(text));
    const error = parsed.success ? parsed.data.error : undefined;
    return [error?.message, ...(error?.errors ?? [])].filter(Boolean).join('; ');
  } catch {
    return '';
  }
}
