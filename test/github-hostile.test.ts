import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGithubCollector } from '../src/collectors/github/index.js';
import { NONSENSE_BACKOFF_MS } from '../src/collectors/github/rate-limit.js';
import { ConfigError, SourceAuthError, SourceUnavailableError } from '../src/errors.js';
import { acmeOrg, NOW } from './fakes/github/acme.js';
import { byId, collectOnce, memoryLog, virtualClock } from './fakes/github/harness.js';
import { FakeGithub, type FakeGithubOptions } from './fakes/github/server.js';

// GitHub answering badly: rate limits, 5xx, refused tokens, missing scopes, unknown
// repositories, GHES's nonsensical rate limit, a phantom page. The collector runs against
// the local fake on virtual time, so every wait is asserted and none is waited for.

const servers: FakeGithub[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setup(options: Partial<FakeGithubOptions> = {}) {
  const clock = virtualClock(NOW);
  const acme = acmeOrg();
  const fake = await FakeGithub.start({ org: acme.org, now: clock.now, quirks: { phantomNextPage: new Set(['repositories']) }, ...options });
  servers.push(fake);
  const memory = memoryLog();
  const collector = createGithubCollector({ sleep: clock.sleep, now: clock.now });
  const run = (section: Record<string, unknown> = { repos: ['acme/api'], concurrency: 1 }, env: NodeJS.ProcessEnv = { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: fake.url }) =>
    collectOnce(collector, { section, env, log: memory.log });
  return { clock, acme, fake, memory, run };
}

const count = (operations: string[]) => operations.reduce<Record<string, number>>((all, name) => ({ ...all, [name]: (all[name] ?? 0) + 1 }), {});

describe('the GitHub collector against a hostile GitHub', () => {
  it('a clean run of acme/api: one RepoSync and one lookup per SHA an incident names', async () => {
    const { fake, clock, run } = await setup();
    const result = await run();
    expect(result.error).toBeUndefined();
    // Incident #3 names the squash commit's short SHA, #10 names 0123abc; #8 names a deployment id (no lookup).
    expect(fake.operations()).toEqual(['RepoSync', 'CommitDeployments', 'CommitDeployments']);
    const kinds = count([...byId(result.events).keys()].map((key) => key.split(':')[0]!));
    // 13 commits (8 on main + PR #2's 3 squashed + PR #4's 2 pre-rebase), PRs #1 #2 #4,
    // deployments d1-d7, incidents #3 #8 #10.
    expect(kinds).toEqual({ commit: 13, pr: 3, deployment: 7, incident: 3 });
    expect(clock.state.sleeps).toEqual([]);
  });

  it('honours Retry-After on a secondary rate limit (403) and loses nothing', async () => {
    const clean = await (await setup()).run();
    const { fake, clock, run, memory } = await setup();
    fake.inject({
      operation: 'RepoSync', status: 403, headers: { 'retry-after': '7' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
    });
    const result = await run();
    expect(result.error).toBeUndefined();
    expect(clock.state.sleeps).toEqual([7000]);
    expect(fake.operations()).toEqual(['RepoSync', 'RepoSync', 'CommitDeployments', 'CommitDeployments']);
    expect(byId(result.events)).toEqual(byId(clean.events));
    expect(memory.warnings()).toEqual([expect.stringMatching(/^warn: GitHub rate limited a request; waiting .*"wait_s":7/)]);
  });

  it('backs off on 502s (1 s, 2 s) and then completes', async () => {
    const clean = await (await setup()).run();
    const { fake, clock, run } = await setup();
    fake.inject({ operation: 'RepoSync', status: 502, body: '<html><body><h1>502 Bad Gateway</h1>We couldn\'t respond to your request in time.</body></html>' }, 2);
    const result = await run();
    expect(result.error).toBeUndefined();
    expect(clock.state.sleeps).toEqual([1000, 2000]);
    expect(byId(result.events)).toEqual(byId(clean.events));
  });

  it('gives up after 6 attempts when GitHub keeps failing, saying so, with bounded waits', async () => {
    const { fake, clock, run } = await setup();
    fake.inject({ operation: 'RepoSync', status: 502, body: '<html>502 Bad Gateway</html>' }, 100);
    const result = await run();
    expect(result.error).toBeInstanceOf(SourceUnavailableError);
    expect(result.error!.message).toMatch(/^1 of 1 GitHub repositories were not collected: acme\/api \(GitHub did not answer acme\/api \(RepoSync\) after 6 attempts \(last: 502/);
    // 1 + 2 + 4 + 8 + 16 s between the six attempts.
    expect(clock.state.sleeps).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(fake.requests).toHaveLength(6);
  });

  it('stops after three repositories in a row fail: GitHub is down, not one repository', async () => {
    const { fake, run } = await setup();
    fake.inject({ status: 502, body: '<html>502 Bad Gateway</html>' }, 1000);
    const result = await run({ repos: ['acme/api', 'acme/web', 'acme/worker', 'acme/legacy'], concurrency: 1 });
    expect(result.error).toBeInstanceOf(SourceUnavailableError);
    expect(result.error!.message).toMatch(/^GitHub failed 3 repositories in a row; stopping \(last: GitHub did not answer acme\/worker \(RepoSync\) after 6 attempts/);
    // Six attempts for each of api, web and worker; legacy is never asked for.
    expect(fake.requests.map((request) => request.variables.name)).toEqual([...Array(6).fill('api'), ...Array(6).fill('web'), ...Array(6).fill('worker')]);
  });

  it('waits for the reset when the hourly budget runs low, then goes on', async () => {
    const { fake, clock, run, memory } = await setup();
    // RepoSync costs 14 points (see github-queries.test.ts): 110 - 14 = 96 left, under the reserve of 100.
    fake.setRemaining(110);
    const result = await run();
    expect(result.error).toBeUndefined();
    // The reset is an hour after the server started at NOW; wait until then plus one second.
    expect(clock.state.sleeps).toEqual([3_600_000 + 1000]);
    expect(memory.warnings()).toEqual([expect.stringMatching(/^warn: GitHub rate limit budget low; waiting for the reset .*"remaining":96/)]);
    expect(fake.operations()).toEqual(['RepoSync', 'CommitDeployments', 'CommitDeployments']);
  });

  it('waits for x-ratelimit-reset when the primary limit is exceeded (200 RATE_LIMITED)', async () => {
    const { fake, clock, run } = await setup();
    fake.setRemaining(5);
    const result = await run();
    expect(result.error).toBeUndefined();
    expect(fake.requests.map((request) => [request.operation, request.cost])).toEqual([['RepoSync', 0], ['RepoSync', 14], ['CommitDeployments', 1], ['CommitDeployments', 1]]);
    expect(clock.state.sleeps).toEqual([3_600_000 + 1000]);
  });

  it('GHES reporting remaining 0 of 0, reset 0001-01-01: one warning, one bounded back-off, no spinning', async () => {
    const clean = await (await setup()).run();
    const { fake, clock, run, memory } = await setup({ ghesNoRateLimit: true });
    // GHES's REST form of the API URL; GraphQL is at /api/graphql.
    const result = await run(undefined, { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: `${fake.url}/api/v3` });
    expect(result.error).toBeUndefined();
    expect(clock.state.sleeps).toEqual([NONSENSE_BACKOFF_MS]);
    expect(memory.warnings()).toEqual([expect.stringMatching(/^warn: GitHub reported a rate limit that makes no sense.*"remaining":0,"limit":0,"resetAt":"0001-01-01T00:00:00Z"/)]);
    expect(fake.requests).toHaveLength(3);
    expect(byId(result.events)).toEqual(byId(clean.events));
  });

  it('a refused token (401) stops at once with one clear message and no retry', async () => {
    const { fake, clock, run } = await setup({ token: 'the-right-token' });
    const result = await run(undefined, { GITHUB_TOKEN: 'ghp_wrongtoken123', GITHUB_API_URL: fake.url });
    expect(result.error).toBeInstanceOf(SourceAuthError);
    expect(result.error!.message).toBe('GitHub refused the token in GITHUB_TOKEN (401 Bad credentials - https://docs.github.com/graphql)');
    expect(fake.requests).toHaveLength(1);
    expect(clock.state.sleeps).toEqual([]);
  });

  it('no GITHUB_TOKEN: a clear error naming the variable, before any request', async () => {
    const { fake, run } = await setup();
    const result = await run(undefined, { GITHUB_API_URL: fake.url });
    expect(result.error).toBeInstanceOf(SourceAuthError);
    expect(result.error!.message).toBe('GITHUB_TOKEN is not set: the GitHub collector needs a token');
    expect(fake.requests).toHaveLength(0);
  });

  it('a token without read:org names the missing scope', async () => {
    const { fake, run } = await setup();
    fake.inject({
      operation: 'OwnerRepos', status: 200, headers: { 'x-oauth-scopes': 'repo', 'x-accepted-oauth-scopes': 'read:org' },
      body: { errors: [{ type: 'INSUFFICIENT_SCOPES', message: "Your token has not been granted the required scopes to execute this query. The 'login' field requires one of the following scopes: ['read:org'], but your token has only been granted the: ['repo'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens." }] },
    });
    const result = await run({ org: 'acme' });
    expect(result.error).toBeInstanceOf(SourceAuthError);
    expect(result.error!.message).toBe('the token in GITHUB_TOKEN lacks a scope GitHub requires for organisation acme: read:org');
    expect((result.error as SourceAuthError).suggestion).toBe('grant the read:org scope to the token (granted now: repo)');
  });

  it('a fine-grained token without a permission stops at once, naming the permissions', async () => {
    const { fake, run } = await setup();
    fake.inject({
      operation: 'RepoSync', status: 200,
      body: { data: { repository: null }, errors: [{ type: 'FORBIDDEN', path: ['repository', 'deployments'], message: 'Resource not accessible by personal access token' }] },
    });
    const result = await run({ repos: ['acme/api', 'acme/web'], concurrency: 1 });
    expect(result.error).toBeInstanceOf(SourceAuthError);
    expect(result.error!.message).toBe('GitHub refused the token access for acme/api (RepoSync): Resource not accessible by personal access token');
    expect((result.error as SourceAuthError).suggestion).toBe('a fine-grained token or GitHub App needs read access to Metadata, Contents, Pull requests, Issues and Deployments');
    expect(fake.requests).toHaveLength(1);
  });

  it('an unknown repository is reported and skipped; the others are collected', async () => {
    const { run, memory } = await setup();
    const result = await run({ repos: ['acme/nope', 'acme/api'], concurrency: 1 });
    expect(result.error).toBeInstanceOf(SourceUnavailableError);
    expect(result.error!.message).toBe("1 of 2 GitHub repositories were not collected: acme/nope (acme/nope (RepoSync): Could not resolve to a Repository with the name 'acme/nope'.)");
    expect(result.events.filter((event) => event.kind === 'pull_request')).toHaveLength(3);
    expect(memory.lines.filter((line) => line.startsWith('error'))).toEqual([expect.stringMatching(/^error: repository not collected \{"repo":"acme\/nope"/)]);
  });

  it('an unknown organisation is a configuration error', async () => {
    const { run } = await setup();
    const result = await run({ org: 'acme-typo' });
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error!.message).toBe('GitHub has no organisation or user named acme-typo');
  });

  it('a full page of 100 repositories claiming another page, then an empty page without a cursor: stops, warns, goes on', async () => {
    const { fake, run, memory } = await setup();
    const result = await run({ org: 'acme', include: ['api'], concurrency: 1 });
    expect(result.error).toBeUndefined();
    // 102 repositories; without archived and forks GitHub lists 100: one full page, then the phantom empty one.
    // Repositories are synced as they are listed: the next listing page is asked for when a worker is free.
    expect(fake.operations()).toEqual(['OwnerRepos', 'RepoSync', 'CommitDeployments', 'CommitDeployments', 'OwnerRepos']);
    expect(fake.requests.filter((request) => request.operation === 'OwnerRepos').map((request) => request.variables.after)).toEqual([
      null,
      Buffer.from('cursor:v2:99').toString('base64'),
    ]);
    expect(memory.warnings()).toEqual([expect.stringMatching(/^warn: GitHub reported another page but gave an empty page or a repeated cursor; stopping there \{"org":"acme","kind":"repositories","endCursor":null\}/)]);
  });

  it('one malformed node is reported with where it came from; the rest of the page is kept', async () => {
    const { fake, run, memory } = await setup();
    const page = (nodes: unknown[]) => ({ pageInfo: { hasNextPage: false, endCursor: null }, nodes });
    const good = {
      number: 12, title: 'Fine', url: 'https://github.com/acme/api/pull/12', createdAt: '2026-03-20T10:00:00Z', updatedAt: '2026-03-20T12:01:00Z',
      mergedAt: '2026-03-20T12:00:00Z', baseRefName: 'main', author: null, mergeCommit: { oid: 'a'.repeat(40) }, labels: { nodes: [] }, reviews: { nodes: [] },
      commits: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
    };
    fake.inject({
      operation: 'RepoSync', status: 200,
      body: { data: {
        rateLimit: { cost: 14, remaining: 4986, resetAt: new Date(NOW + 3_600_000).toISOString(), limit: 5000 },
        repository: { nameWithOwner: 'acme/api', isArchived: false, defaultBranchRef: { name: 'main', target: { history: page([]) } },
          pullRequests: page([{ ...good, number: 11, createdAt: 'yesterday' }, good]), deployments: page([]), issues: page([]) },
      } },
    });
    const result = await run();
    expect(result.error).toBeUndefined();
    expect(result.events.map((event) => (event.kind === 'pull_request' ? event.number : event.kind))).toEqual([12]);
    expect(memory.warnings()).toEqual([
      'warn: github item skipped: not a valid event {"where":"acme/api pull request #11","field":"created_at","reason":"expected an ISO-8601 time with a zone, e.g. 2026-03-01T10:00:00Z or 2026-03-01T11:00:00+01:00"}',
    ]);
  });

  it('an address where nothing listens fails at once, naming it', async () => {
    const { clock, run } = await setup();
    // A port that was free a moment ago: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await run(undefined, { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(result.error).toBeInstanceOf(SourceUnavailableError);
    expect(result.error!.message).toMatch(new RegExp(`^cannot reach GitHub at http://127\\.0\\.0\\.1:${port}/graphql: .*ECONNREFUSED`));
    expect(clock.state.sleeps).toEqual([]);
  });

  it('rejects a GITHUB_API_URL that is not a URL', async () => {
    const { run } = await setup();
    const result = await run(undefined, { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: 'github.example.com' });
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error!.message).toBe('GITHUB_API_URL is not an http(s) URL: github.example.com');
  });
});
