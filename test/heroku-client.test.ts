import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HerokuClient, HerokuRequestError } from '../src/collectors/heroku/client.js';
import { App } from '../src/collectors/heroku/schema.js';
import { SourceAuthError, SourceUnavailableError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { pipelineStory } from './fakes/heroku/story.js';

const TOKEN = 'heroku-test-token-0123456789';

let fake: FakeHeroku;
let waits: number[];
let warnings: string[];
const log: Logger = { info: () => {}, warn: (message, fields) => void warnings.push(`${message} ${JSON.stringify(fields)}`), error: () => {} };

function client(token = TOKEN, fetchImpl: typeof fetch = fetch) {
  return new HerokuClient({ baseUrl: fake.url, token, fetch: fetchImpl, log, sleep: async (ms) => void waits.push(ms) });
}

async function collectPages(heroku: HerokuClient, path: string, range?: string): Promise<unknown[][]> {
  const pages: unknown[][] = [];
  for await (const page of heroku.pages(path, range)) pages.push(page);
  return pages;
}

beforeAll(async () => {
  fake = await startFakeHeroku(pipelineStory().data, { token: TOKEN });
});
afterAll(() => fake.close());
beforeEach(() => {
  waits = [];
  warnings = [];
  fake.requests.length = 0;
  fake.options.pageLimit = 1000;
});

describe('Heroku client', () => {
  it('follows Next-Range over 206 pages and sends the version header and token', async () => {
    fake.options.pageLimit = 4;
    const seen: Headers[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    const pages = await collectPages(client(TOKEN, spy), '/apps/shop-prod/releases', 'version ..; max=1000, order=asc');
    // 9 releases at most 4 per page: 4 + 4 + 1.
    expect(pages.map((page) => page.map((release) => (release as { version: number }).version))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    expect(fake.requests.map((request) => request.range)).toEqual([
      'version ..; max=1000, order=asc',
      'version ]4..; max=1000, order=asc',
      'version ]8..; max=1000, order=asc',
    ]);
    expect(seen[0]!.get('accept')).toEqual('application/vnd.heroku+json; version=3');
    expect(seen[0]!.get('authorization')).toEqual(`Bearer ${TOKEN}`);
    expect(waits).toEqual([]);
  });

  it('backs off on 429 and 5xx with growing waits, and honours Retry-After when given', async () => {
    fake.script(
      { status: 429, body: { id: 'rate_limit', message: 'Your account reached the API rate limit' } },
      { status: 503, body: { id: 'unavailable', message: 'Service unavailable' } },
      { status: 429, headers: { 'Retry-After': '7' }, body: { id: 'rate_limit' } },
    );
    const app = await client().get('/apps/shop-prod', App);
    expect(app.name).toEqual('shop-prod');
    // Attempts 1 and 2 wait 2 s and 4 s (2 s doubling); the third answer names 7 s.
    expect(waits).toEqual([2000, 4000, 7000]);
    expect(fake.requests.length).toEqual(4);
  });

  it('gives up after the bounded retries with a clear error', async () => {
    for (let i = 0; i < 5; i++) fake.script({ status: 502, body: { id: 'bad_gateway', message: 'Bad gateway' } });
    const failure = await client().get('/apps/shop-prod', App).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SourceUnavailableError);
    expect((failure as Error).message).toEqual('Heroku answered GET /apps/shop-prod with 502 (Bad gateway) after 5 attempts');
    // 4 retries: 2 + 4 + 8 + 16 s.
    expect(waits).toEqual([2000, 4000, 8000, 16000]);
  });

  it('stops at once on 401: one message, no retry', async () => {
    const failure = await client('revoked-token-abcdef').get('/apps/shop-prod', App).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SourceAuthError);
    expect((failure as Error).message).toEqual('Heroku refused the token in HEROKU_API_KEY (401 Invalid credentials provided.)');
    expect(fake.requests.length).toEqual(1);
    expect(waits).toEqual([]);
  });

  it('reports 404 as a request error with the status and the API message', async () => {
    const failure = await client().get('/apps/no-such-app', App).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HerokuRequestError);
    expect((failure as HerokuRequestError).status).toEqual(404);
    expect((failure as Error).message).toEqual("Heroku answered GET /apps/no-such-app with 404: Couldn't find that app.");
  });

  it('paces requests when RateLimit-Remaining runs low', async () => {
    fake.script({ status: 200, headers: { 'RateLimit-Remaining': '7' }, body: { id: 'x', name: 'shop-prod' } });
    const heroku = client();
    await heroku.get('/apps/shop-prod', App);
    await heroku.get('/apps/shop-prod', App);
    // 7 left, below the low-water mark of 10: wait for 10 - 7 = 3 refills of 800 ms before the next request.
    expect(waits).toEqual([2400]);
  });

  it('retries a network failure, then names the API address', async () => {
    let calls = 0;
    const broken: typeof fetch = async () => {
      calls++;
      throw new TypeError('fetch failed');
    };
    const failure = await client(TOKEN, broken).get('/apps/shop-prod', App).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SourceUnavailableError);
    expect((failure as Error).message).toEqual(`cannot reach the Heroku API at ${fake.url}: fetch failed`);
    expect(calls).toEqual(5);
  });

  it('ends on an empty page and on a Next-Range that repeats itself', async () => {
    fake.script({ status: 206, headers: { 'Next-Range': 'version ]9..; max=1000, order=asc' }, body: [] });
    expect(await collectPages(client(), '/apps/shop-prod/releases', 'version ..; max=1000, order=asc')).toEqual([]);
    const same = 'version ]3..; max=1000, order=asc';
    fake.script({ status: 206, headers: { 'Next-Range': same }, body: [{ version: 4 }] });
    const pages = await collectPages(client(), '/apps/shop-prod/releases', same);
    expect(pages).toEqual([[{ version: 4 }]]);
    expect(warnings).toEqual([`heroku returned the same Next-Range again; stopping {"path":"/apps/shop-prod/releases","range":"${same}"}`]);
  });
});
