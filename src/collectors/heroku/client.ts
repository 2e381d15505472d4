import type { z } from 'zod';
import { AgentError, ExitCode, SourceAuthError, SourceUnavailableError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { ApiError } from './schema.js';

/**
 * HTTP for the Heroku Platform API v3: version header, bearer token, Range paging,
 * RateLimit-Remaining pacing, bounded retries on 429 / 5xx / network errors.
 * https://devcenter.heroku.com/articles/platform-api-reference#ranges
 */

export const DEFAULT_HEROKU_API_URL = 'https://api.heroku.com';
const ACCEPT = 'application/vnd.heroku+json; version=3';
/** Heroku refills about 75 requests per minute: one every 800 ms. */
export const REFILL_MS = 800;

export interface HerokuClientOptions {
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  log: Logger;
  /** Injected so tests assert the waits instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
  /** Retries after a 429, a 5xx or a network error. Default 4. */
  maxRetries?: number;
  /** Below this many remaining requests the client waits for the bucket to refill to it. Default 10. */
  lowWater?: number;
  signal?: AbortSignal;
}

/** A request Heroku refused (4xx other than 401 and 429), with its status and error id. */
export class HerokuRequestError extends AgentError {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly apiId: string | undefined,
    message: string,
  ) {
    super('heroku_request', message, { exitCode: ExitCode.sourceUnavailable });
  }
}

/** Wait before retry `attempt` (0-based): exponential from 2 s, at most a minute. */
export const backoffMs = (attempt: number) => Math.min(60_000, 2_000 * 2 ** attempt);

export class HerokuClient {
  private readonly baseUrl: string;
  private paceMs = 0;

  constructor(private readonly options: HerokuClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** One object. */
  async get<T extends z.ZodType>(path: string, schema: T): Promise<z.output<T>> {
    const response = await this.request(path);
    const body = await response.json();
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new SourceUnavailableError(`Heroku answered GET ${path} with an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }

  /**
   * Every page of a list, following `Next-Range` on 206 Partial Content. Items are
   * returned unparsed so the caller can keep the good ones of a page with a bad one.
   */
  async *pages(path: string, range?: string): AsyncGenerator<unknown[]> {
    let current: string | undefined = range;
    for (let first = true; first || current; first = false) {
      const response = await this.request(path, current);
      const body: unknown = await response.json();
      if (!Array.isArray(body)) throw new SourceUnavailableError(`Heroku answered GET ${path} with ${typeof body} where a list was expected`);
      if (body.length === 0) return;
      yield body;
      const next = response.status === 206 ? (response.headers.get('next-range') ?? undefined) : undefined;
      // A server that hands back the range it was given would page forever.
      if (next !== undefined && next === current) {
        this.options.log.warn('heroku returned the same Next-Range again; stopping', { path, range: next });
        return;
      }
      current = next;
    }
  }

  private async request(path: string, range?: string): Promise<Response> {
    const maxRetries = this.options.maxRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      if (this.paceMs > 0) {
        await this.options.sleep(this.paceMs);
        this.paceMs = 0;
      }
      let response: Response;
      try {
        response = await this.options.fetch(`${this.baseUrl}${path}`, {
          headers: {
            Accept: ACCEPT,
            Authorization: `Bearer ${this.options.token}`,
            ...(range ? { Range: range } : {}),
          },
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
      } catch (error) {
        // A stopped run (SIGTERM) is not a network failure: stop now, do not back off and retry.
        if (this.options.signal?.aborted) throw error;
        if (attempt >= maxRetries) {
          throw new SourceUnavailableError(`cannot reach the Heroku API at ${this.baseUrl}: ${(error as Error).message}`, {
            cause: error,
            suggestion: 'check HEROKU_API_URL and the network, then run the collection again; it resumes where it stopped',
          });
        }
        await this.wait(attempt, undefined, path, 'network');
        continue;
      }
      this.notePace(response.headers.get('ratelimit-remaining'));
      if (response.ok) return response;
      const error = await errorBody(response);
      if (response.status === 401) {
        throw new SourceAuthError(`Heroku refused the token in HEROKU_API_KEY (401 ${error.message ?? 'Unauthorized'})`, {
          suggestion: 'the token was revoked or expired: create a new one with `heroku authorizations:create` and set HEROKU_API_KEY',
        });
      }
      if (response.status === 429 || response.status >= 500) {
        if (attempt >= maxRetries) {
          throw new SourceUnavailableError(
            `Heroku answered GET ${path} with ${response.status}${error.message ? ` (${error.message})` : ''} after ${maxRetries + 1} attempts`,
            { suggestion: 'run the collection again later; it resumes where it stopped' },
          );
        }
        await this.wait(attempt, response.headers.get('retry-after'), path, String(response.status));
        continue;
      }
      throw new HerokuRequestError(
        response.status,
        path,
        error.id,
        `Heroku answered GET ${path} with ${response.status}${error.message ? `: ${error.message}` : ''}`,
      );
    }
  }

  /** Pace the next request so the rate-limit bucket refills to `lowWater` instead of running dry. */
  private notePace(header: string | null): void {
    const remaining = header === null ? Number.NaN : Number(header);
    const lowWater = this.options.lowWater ?? 10;
    if (Number.isFinite(remaining) && remaining < lowWater) this.paceMs = (lowWater - remaining) * REFILL_MS;
  }

  private async wait(attempt: number, retryAfter: string | null | undefined, path: string, reason: string): Promise<void> {
    // Heroku sends no Retry-After on 429 (it says to wait for the bucket to refill); honour one if present.
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    // A pending pace (RateLimit-Remaining was low) is folded in rather than slept on top.
    const ms = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 300) * 1000 : Math.max(backoffMs(attempt), this.paceMs);
    this.paceMs = 0;
    this.options.log.warn('heroku request failed; retrying', { path, reason, wait_ms: ms, attempt: attempt + 1 });
    await this.options.sleep(ms);
  }
}

async function errorBody(response: Response): Promise<z.infer<typeof ApiError>> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = ApiError.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
