import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubCollector } from '../src/collectors/github/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { SourceAuthError } from '../src/errors.js';
import { tables } from '../src/store/schema.js';
import { readCursor } from '../src/store/writer.js';
import { acmeOrg, NOW, T0 } from './fakes/github/acme.js';
import { memoryLog, virtualClock } from './fakes/github/harness.js';
import { HOUR, MINUTE } from './fakes/github/model.js';
import { FakeGithub } from './fakes/github/server.js';
import { countFinal, queryRows, tempStore } from './helpers/store.js';

// A run that dies half-way resumes where it stopped (the runner saves each page's
// cursor), and an earlier --since backfills what the first run did not reach.

const clock = virtualClock(NOW);
const acme = acmeOrg();
const memory = memoryLog();
const cursorAt = (index: number) => Buffer.from(`cursor:v2:${index}`).toString('base64');
let fake: FakeGithub;
let store: Awaited<ReturnType<typeof tempStore>>;

const collect = (section: Record<string, unknown>) =>
  runCollector(store.client, createGithubCollector({ sleep: clock.sleep, now: clock.now }), {
    agent: Config.parse({}), section: { concurrency: 1, ...section }, log: memory.log, env: { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: fake.url },
  });
const pullNumbers = async (repo: string) =>
  (await queryRows<{ number: number }>(store.client, `SELECT number FROM ${tables.pullRequests} FINAL WHERE repo = {repo:String} ORDER BY number`, { repo })).map((row) => Number(row.number));

beforeAll(async () => {
  fake = await FakeGithub.start({ org: acme.org, now: clock.now });
  store = await tempStore();
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('resuming and backfilling', () => {
  it('a run that fails on the second page of pull requests resumes from that page', async () => {
    // The token is revoked just as worker's second page of PRs is asked for.
    fake.inject({ operation: 'PullsPage', status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' } });
    await expect(collect({ repos: ['acme/worker'] })).rejects.toThrow(SourceAuthError);
    // Written before the failure: all 204 commits on main (3 pages), the first page of 50 PRs (newest first: 60..11).
    expect(await countFinal(store.client, tables.commits)).toEqual(204);
    expect(await pullNumbers('acme/worker')).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    const saved = JSON.parse((await readCursor(store.client, 'github', 'acme/worker:pulls'))!);
    // PR 60, the newest, was updated at its merge (T0 + 59*8h + 5h) plus a minute.
    const top = new Date(T0 + 59 * 8 * HOUR + 5 * HOUR + MINUTE).toISOString();
    expect(saved).toEqual({ from: '2025-10-02T00:00:00.000Z', resume: { after: cursorAt(49), floor: '2025-10-02T00:00:00.000Z', top } });

    const before = fake.requests.length;
    await collect({ repos: ['acme/worker'] });
    const resumed = fake.requests.slice(before);
    // RepoSync leaves the resuming kind out; the PRs continue from the saved page (10..1; PR 10's 25 commits need PullCommits).
    expect(resumed.map((request) => request.operation)).toEqual(['RepoSync', 'PullsPage', 'PullCommits']);
    expect(resumed[0]!.variables).toMatchObject({ pulls: false, commits: true, deployments: true, incidents: true });
    expect(resumed[1]!.variables.after).toEqual(cursorAt(49));
    expect(await pullNumbers('acme/worker')).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await countFinal(store.client, tables.deployments)).toEqual(6);
    expect(JSON.parse((await readCursor(store.client, 'github', 'acme/worker:pulls'))!)).toEqual({ from: '2025-10-02T00:00:00.000Z', to: top });
  });

  it('an earlier --since backfills; without --since later runs stay incremental', async () => {
    // api's merged PRs were last updated a minute after their merges: #1 03-02 14:01, #2 03-03 14:01, #4 03-04 14:01.
    await collect({ repos: ['acme/api'], since: '2026-03-04' });
    expect(await pullNumbers('acme/api')).toEqual([4]);
    await collect({ repos: ['acme/api'], since: '2026-03-01' });
    expect(await pullNumbers('acme/api')).toEqual([1, 2, 4]);
    expect(JSON.parse((await readCursor(store.client, 'github', 'acme/api:pulls'))!).from).toEqual('2026-03-01T00:00:00.000Z');

    const before = fake.requests.length;
    await collect({ repos: ['acme/api'] });
    // The default since (180 days) does not backfill: small first pages, no paging, nothing looked up again.
    const again = fake.requests.slice(before);
    expect(again.map((request) => request.operation)).toEqual(['RepoSync']);
    expect(again[0]!.variables).toMatchObject({ pullsFirst: 10, deploymentsFirst: 10 });
    expect(JSON.parse((await readCursor(store.client, 'github', 'acme/api:pulls'))!).from).toEqual('2026-03-01T00:00:00.000Z');
  });
});
