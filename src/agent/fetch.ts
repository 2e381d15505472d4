/** What one source's HTTP traffic looked like in a run. */
export interface FetchStats {
  calls: number;
  /** Answers that make a collector wait: 429, or 403 with Retry-After or no quota left (GitHub's secondary limits). */
  rateLimited: number;
}

function isRateLimited(response: Response): boolean {
  if (response.status === 429) return true;
  if (response.status !== 403) return false;
  return response.headers.has('retry-after') || response.headers.get('x-ratelimit-remaining') === '0';
}

/**
 * The collectors' `fetch`, counted and bound to the agent's shutdown: once the signal
 * fires, in-flight requests are aborted and new ones fail at once, whatever the
 * collector's own retry loop would do.
 */
export function instrumentedFetch(base: typeof fetch, stats: FetchStats, signal: AbortSignal): typeof fetch {
  return async (input, init) => {
    signal.throwIfAborted();
    stats.calls++;
    const signals = init?.signal ? [init.signal, signal] : [signal];
    const response = await base(input, { ...init, signal: AbortSignal.any(signals) });
    if (isRateLimited(response)) stats.rateLimited++;
    return response;
  };
}
