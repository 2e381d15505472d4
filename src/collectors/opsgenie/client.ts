import { AgentError, ExitCode, SourceAuthError, SourceUnavailableError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { getJsonWithRetries } from '../rest.js';
import { ApiError, ListPage, OneItem } from './schema.js';

/**
 * HTTP for the Opsgenie REST API: `GenieKey` header, offset paging (`offset`, `limit`
 * at most 100, `paging.next`), and bounded retries on 429 (Retry-After, else
 * `X-RateLimit-Period-In-Sec`, else exponential), 5xx and network errors.
 * https://docs.opsgenie.com/docs/api-rate-limiting
 */

export const DEFAULT_OPSGENIE_API_URL = 'https://api.opsgenie.com';

export interface OpsgenieClientOptions {
  baseUrl: string;
  key: string;
  fetch: typeof fetch;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  /** Retries after a 429, a 5xx or a network error. Default 5. */
  maxRetries?: number;
  signal?: AbortSignal;
}

export class OpsgenieRequestError extends AgentError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('opsgenie_request', message, { exitCode: ExitCode.sourceUnavailable });
  }
}

export const backoffMs = (attempt: number) => Math.min(60_000, 1_000 * 2 ** attempt);

export class OpsgenieClient {
  private readonly baseUrl: string;

  constructor(private readonly options: OpsgenieClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** One page of a list. Items are returned unparsed, so one bad item does not lose the page. */
  async list(path: string, query: Record<string, string>): Promise<{ items: unknown[]; more: boolean }> {
    const body = await this.get(path, query);
    const parsed = ListPage.safeParse(body);
    if (!parsed.success) throw new SourceUnavailableError(`Opsgenie answered GET ${path} without a \`data\` list`);
    return { items: parsed.data.data, more: Boolean(parsed.data.paging?.next) };
  }

  /** One object by id; undefined when Opsgenie no longer knows it (404). */
  async one(path: string, query: Record<string, string> = {}): Promise<unknown> {
    try {
      const parsed = OneItem.safeParse(await this.get(path, query));
      return parsed.success ? parsed.data.data : undefined;
    } catch (error) {
      if (error instanceof OpsgenieRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  private get(path: string, query: Record<string, string>): Promise<unknown> {
    return getJsonWithRetries(this.baseUrl, path, Object.entries(query), {
      source: 'Opsgenie',
      fetch: this.options.fetch,
      log: this.options.log,
      sleep: this.options.sleep,
      maxRetries: this.options.maxRetries ?? 5,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      headers: { Accept: 'application/json', Authorization: `GenieKey ${this.options.key}` },
      unreachableSuggestion:
        'check OPSGENIE_API_URL (EU accounts: https://api.eu.opsgenie.com) and the network; the next run resumes where this one stopped',
      // Opsgenie throttles per period (X-RateLimit-Period-In-Sec) and may send Retry-After.
      rateLimitHeaders: ['x-ratelimit-period-in-sec'],
      backoffMs,
      refuse: refusal,
      errorMessage,
    });
  }
}

function refusal(status: number, path: string, message: string): Error {
  if (status === 401 || status === 403) {
    return new SourceAuthError(`Opsgenie refused the key in OPSGENIE_API_KEY (${status}${message ? ` ${message}` : ''})`, {
      suggestion: 'create an API integration key with Read access (Settings > Integrations > API) and export OPSGENIE_API_KEY=<key>',
    });
  }
  return new OpsgenieRequestError(status, `Opsgenie answered GET ${path} with ${status}${message ? `: ${message}` : ''}`);
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = ApiError.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data.message ?? '') : '';
  } catch {
    return '';
  }
}
