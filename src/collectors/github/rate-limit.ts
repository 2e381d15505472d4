import type { Logger } from '../../log.js';
import type { RateLimit } from './schema.js';

/** Sleeps are injected so tests can assert the waits without waiting. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The one wait after a nonsensical rate-limit reading (GHES `0/0, reset 0001-01-01`): bounded, then carry on. */
export const NONSENSE_BACKOFF_MS = 15_000;
/** GitHub's window is one hour; a reset further out (or in the past) is not believed. */
const MAX_RESET_MS = 65 * 60_000;

export interface BudgetOptions {
  log: Logger;
  sleep: Sleep;
  now: () => number;
  /** Points kept in reserve: when fewer remain, wait for the reset. Default 100. */
  reserve?: number;
  signal?: AbortSignal;
}

/**
 * The shared GraphQL budget of one run: every request first waits here. It learns
 * what is left from each answer's `rateLimit`, waits for the reset when the budget
 * runs low, and holds every worker while one of them is told to back off
 * (Retry-After). A reading that makes no sense is never waited on in a loop: it is
 * reported once, backed off once for a bounded time, and then ignored.
 */
export class RateBudget {
  private remaining: number | undefined;
  private resetAt = 0;
  private pausedUntil = 0;
  private pendingBackoff = 0;
  private warnedNonsense = false;
  /** Waits requested, in milliseconds (reported by the run summary). */
  readonly waits: number[] = [];

  constructor(private readonly options: BudgetOptions) {}

  /** Whether a reset time is believable: in GitHub's one-hour window, not in the past. */
  saneReset(resetMs: number): boolean {
    const now = this.options.now();
    return Number.isFinite(resetMs) && resetMs > now - 60_000 && resetMs <= now + MAX_RESET_MS;
  }

  observe(rate: RateLimit | undefined): void {
    if (!rate) return;
    const reset = Date.parse(rate.resetAt);
    if (rate.limit <= 0 || !this.saneReset(reset)) {
      if (!this.warnedNonsense) {
        this.warnedNonsense = true;
        this.pendingBackoff = NONSENSE_BACKOFF_MS;
        this.options.log.warn('GitHub reported a rate limit that makes no sense; backing off once, then not waiting on it', {
          remaining: rate.remaining,
          limit: rate.limit,
          resetAt: rate.resetAt,
          backoff_s: NONSENSE_BACKOFF_MS / 1000,
        });
      }
      this.remaining = undefined;
      return;
    }
    this.remaining = rate.remaining;
    this.resetAt = reset;
  }

  /** Hold every worker for `ms` (a Retry-After, a reset, a back-off). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.options.now() + ms);
  }

  /** Wait until a request may be sent. */
  async ready(): Promise<void> {
    if (this.pendingBackoff > 0) {
      const backoff = this.pendingBackoff;
      this.pendingBackoff = 0;
      this.pause(backoff);
    }
    const reserve = this.options.reserve ?? 100;
    if (this.remaining !== undefined && this.remaining < reserve && this.resetAt > this.options.now()) {
      this.options.log.warn('GitHub rate limit budget low; waiting for the reset', {
        remaining: this.remaining,
        resetAt: new Date(this.resetAt).toISOString(),
      });
      this.pause(this.resetAt - this.options.now() + 1000);
      // Unknown until the next answer says how much the reset gave back.
      this.remaining = undefined;
    }
    const wait = this.pausedUntil - this.options.now();
    if (wait > 0) {
      this.waits.push(wait);
      await this.options.sleep(wait, this.options.signal);
    }
  }
}
