import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { getJsonWithRetries, type RetryingGet } from './rest.js';

const quiet = createLogger({ out: () => undefined, err: () => undefined, interactive: false });

function options(overrides: Partial<RetryingGet>): RetryingGet {
  return {
    source: 'Example',
    fetch: async () => new Response('{}'),
    log: quiet,
    sleep: async () => undefined,
    maxRetries: 3,
    headers: {},
    unreachableSuggestion: 'check EXAMPLE_API_URL',
    rateLimitHeaders: ['x-reset'],
    backoffMs: (attempt) => 1000 * 2 ** attempt,
    refuse: (status, path) => new Error(`refused ${status} ${path}`),
    errorMessage: async () => '',
    ...overrides,
  };
}

describe('getJsonWithRetries', () => {
  it('waits Retry-After, then the source header on a 429, then backs off, and returns the answer', async () => {
    const answers = [
      new Response('', { status: 429, headers: { 'retry-after': '7' } }),
      new Response('', { status: 429, headers: { 'x-reset': '3' } }),
      new Response('', { status: 502, headers: { 'x-reset': '9' } }), // the reset header means nothing on a 5xx
      new Response('{"ok":true}'),
    ];
    const waits: number[] = [];
    const body = await getJsonWithRetries('http://127.0.0.1:1', '/items', [], options({
      fetch: async () => answers.shift()!,
      sleep: async (ms) => void waits.push(ms),
    }));
    expect(body).toEqual({ ok: true });
    // 7 s stated; 3 s from the source's header; back-off for attempt 2 is 1000 * 2^2.
    expect(waits).toEqual([7000, 3000, 4000]);
  });

  it('gives up after maxRetries + 1 attempts, and lets the caller name any other refusal', async () => {
    await expect(getJsonWithRetries('http://127.0.0.1:1', '/items', [], options({ fetch: async () => new Response('', { status: 503 }) })))
      .rejects.toThrow('Example answered GET /items with 503 after 4 attempts');
    await expect(getJsonWithRetries('http://127.0.0.1:1', '/items', [], options({ fetch: async () => new Response('', { status: 404 }) })))
      .rejects.toThrow('refused 404 /items');
  });

  it('stops at once when the run is aborted, without backing off', async () => {
    const controller = new AbortController();
    const waits: number[] = [];
    const result = getJsonWithRetries('http://127.0.0.1:1', '/items', [], options({
      signal: controller.signal,
      fetch: async () => {
        controller.abort();
        throw new DOMException('This operation was aborted', 'AbortError');
      },
      sleep: async (ms) => void waits.push(ms),
    }));
    await expect(result).rejects.toThrow('aborted');
    expect(waits).toEqual([]);
  });
});
