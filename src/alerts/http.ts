import { setTimeout as sleepFor } from 'node:timers/promises';
import { AgentError, ExitCode } from '../errors.js';
import { scrub } from '../log.js';

/** A chat message that could not be delivered. Never carries the webhook URL (a secret). */
export class DeliveryError extends AgentError {
  constructor(
    readonly channel: string,
    message: string,
    readonly attempts: number,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super('alert_delivery', scrub(`${channel}: ${message}`), { exitCode: ExitCode.sourceUnavailable, cause: options.cause });
    this.status = options.status;
  }
  readonly status: number | undefined;
}

export interface HttpOptions {
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Waits between attempts; tests pass a recorder. Default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per message, the first included. Default 4. */
  maxAttempts?: number;
  /** A longer Retry-After is not waited for in this run: the alert stays pending for the next. Default 60 s. */
  maxWaitMs?: number;
  /** Per request. Default 10 s: a dead webhook must not hold the run. */
  timeoutMs?: number;
  now?: () => number;
}

export interface PostResult {
  status: number;
  body: string;
  attempts: number;
  /** Every wait before a retry, in ms (Retry-After honoured). */
  waits: number[];
}

/** What an answer means: Teams' legacy connector reports throttling in a 200 body, so each channel may look at the text. */
export type Outcome = 'ok' | 'retry' | 'fail';
export type Classify = (status: number, body: string) => Outcome;

export const defaultClassify: Classify = (status) => (status >= 200 && status < 300 ? 'ok' : status === 429 || status >= 500 ? 'retry' : 'fail');


/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A short, printable reason from an error answer (Slack answers with a plain code such as `channel_not_found`). */
const excerpt = (body: string) => body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);

/**
 * POST a JSON body. 429 and 5xx (and network failures, time-outs) are retried: after
 * `Retry-After` when the answer has one, else 1 s, 2 s, 4 s. Errors name the channel and
 * what it answered, never the URL.
 */
export async function postJson(channel: string, url: string, body: unknown, headers: Record<string, string>, options: HttpOptions = {}, classify: Classify = defaultClassify): Promise<PostResult> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const text = JSON.stringify(body);
  const waits: number[] = [];
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    let wait: number | undefined;
    let status: number | undefined;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: text,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const answer = await response.text();
      status = response.status;
      const outcome = classify(response.status, answer);
      if (outcome === 'ok') return { status: response.status, body: answer, attempts: attempt, waits };
      problem = `HTTP ${response.status}${excerpt(answer) ? ` ${excerpt(answer)}` : ''}`;
      if (outcome === 'fail') throw new DeliveryError(channel, problem, attempt, { status });
      wait = retryAfterMs(response.headers.get('retry-after'), now());
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      const cause = error as Error & { cause?: { code?: string } };
      problem = cause.name === 'TimeoutError' ? 'no answer in time' : `request failed (${cause.cause?.code ?? cause.message})`;
    }
    if (attempt >= maxAttempts) throw new DeliveryError(channel, `${problem}; gave up after ${attempt} attempts`, attempt, status === undefined ? {} : { status });
    const delay = wait ?? 1000 * 2 ** (attempt - 1);
    if (delay > maxWaitMs) {
      throw new DeliveryError(channel, `${problem}; asked to wait ${Math.ceil(delay / 1000)} s, left for the next run`, attempt, status === undefined ? {} : { status });
    }
    waits.push(delay);
    await sleep(delay);
  }
}
