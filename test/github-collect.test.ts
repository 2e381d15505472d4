import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubCollector, type GithubRunStats } from '../src/collectors/github/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { toClickHouseTime } from '../src/events/time.js';
import { tables } from '../src/store/schema.js';
import { acmeOrg, NOW, T0 } from './fakes/github/acme.js';
import { memoryLog, virtualClock } from './fakes/github/harness.js';
import { DAY, HOUR, iso, MINUTE } from './fakes/github/model.js';
import { FakeGithub } from './fakes/github/server.js';
import { countFinal, queryRows, tempStore } from './helpers/store.js';

// The collector against the local GitHub for the generated organisation `acme`
// (test/fakes/github/acme.ts), written through the real runner into the real embedded
// store: the stored events must be what the organisation holds, and a second run with
// nothing new must cost one request per repository.

const at = (ms: number) => toClickHouseTime(new Date(ms).toISOString());
const clock = virtualClock(NOW);
const acme = acmeOrg();
const memory = memoryLog();
const agent = Config.parse({ services: { jobs: { repos: ['acme/worker'] }, frontend: { repos: ['acme/web'] } } });
const section = { org: 'acme', exclude: ['sandbox-*'], releasesAsDeployments: true };
let fake: FakeGithub;
let store: Awaited<ReturnType<typeof tempStore>>;
let stats: GithubRunStats[] = [];

async function collect() {
  const collector = createGithubCollector({ sleep: clock.sleep, now: clock.now, onStats: (run) => stats.push(run) });
  const before = fake.requests.length;
  const summary = await runCollector(store.client, collector, {
    agent, section, log: memory.log, env: { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: fake.url },
  });
  const operations = fake.requests.slice(before).map((request) => request.operation);
  return { summary, operations: operations.reduce<Record<string, number>>((all, name) => ({ ...all, [name]: (all[name] ?? 0) + 1 }), {}) };
}

const rows = <T = Record<string, unknown>>(query: string, params: Record<string, unknown> = {}) => queryRows<T>(store.client, query, params);

beforeAll(async () => {
  fake = await FakeGithub.start({ org: acme.org, now: clock.now, quirks: { phantomNextPage: new Set(['repositories']) } });
  store = await tempStore();
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('dora collect github, first run over the acme organisation', () => {
  let first: Awaited<ReturnType<typeof collect>>;
  beforeAll(async () => {
    first = await collect();
  });

  it('asks GitHub once per repository and page, and stores one row per object', async () => {
    // Listing: a full page of 100 and the phantom empty page. One RepoSync per repository (api, web, worker).
    // Two incidents name a SHA (one lookup each). worker: PRs 51-60 on a second page, PR #10's commits 21-25,
    // and 204 commits on main in pages of 100 (the first came with RepoSync).
    expect(first.operations).toEqual({ OwnerRepos: 2, RepoSync: 3, CommitDeployments: 2, PullsPage: 1, PullCommits: 1, HistoryPage: 2 });
    // RepoSync 14 points x 3, PullsPage 12, the other seven 1 each (see github-queries.test.ts for the arithmetic).
    expect(stats.at(-1)).toEqual({ repositories: 3, failed: 0, requests: 11, points: 14 * 3 + 12 + 7, waits: [] });
    // Commits: api 13 (8 on main + 3 squashed + 2 pre-rebase), web 10 (4 on main + 6 squashed), worker 204.
    expect(await countFinal(store.client, tables.commits)).toEqual(13 + 10 + 204);
    // Merged into the default branch: api #1 #2 #4, web 3, worker 60.
    expect(await countFinal(store.client, tables.pullRequests)).toEqual(3 + 3 + 60);
    // api d1-d7, web's two releases and one pre-release (not the draft), worker's six.
    expect(await countFinal(store.client, tables.deployments)).toEqual(7 + 3 + 6);
    expect(await countFinal(store.client, tables.incidents)).toEqual(3);
    expect(memory.warnings()).toEqual([expect.stringContaining('GitHub reported another page but gave an empty page or a repeated cursor; stopping there')]);
  });

  it('keeps a squash merge\'s own commits, its merge SHA and the first review by someone else', async () => {
    const { pr2 } = acme.api;
    const [row] = await rows(`SELECT number, author, created_at, first_review_at, merged_at, merge_sha, base, commits FROM ${tables.pullRequests} FINAL WHERE repo = 'acme/api' AND number = 2`);
    expect(row).toEqual({
      number: 2, author: 'carol', base: 'main', merge_sha: pr2.mergeCommit,
      // Opened day 1 at 12:00; carol's own comment at 12:10 is not a review; bob's approval at 12:30 is; merged 14:00.
      created_at: at(T0 + DAY + 3 * HOUR), first_review_at: at(T0 + DAY + 3 * HOUR + 30 * MINUTE), merged_at: at(T0 + DAY + 5 * HOUR),
      commits: pr2.commits,
    });
    // The squashed commits are stored (lead time starts at the first one, authored day 1 09:00), though not on main.
    const squashed = await rows(`SELECT sha, authored_at FROM ${tables.commits} FINAL WHERE has({shas:Array(String)}, sha) ORDER BY authored_at`, { shas: pr2.commits });
    expect(squashed).toEqual(pr2.commits.map((sha, i) => ({ sha, authored_at: at(T0 + DAY + i * HOUR) })));
  });

  it('keeps a deleted author as no author, and rebased commits with their author time', async () => {
    const { pr4 } = acme.api;
    const [row] = await rows(`SELECT author, first_review_at, merge_sha FROM ${tables.pullRequests} FINAL WHERE repo = 'acme/api' AND number = 4`);
    // Opened day 2 at 11:00; changes requested at 12:00 is the first review.
    expect(row).toEqual({ author: '', first_review_at: at(T0 + 2 * DAY + 3 * HOUR), merge_sha: pr4.mergeCommit });
    const [rebased] = await rows(`SELECT author, authored_at, committed_at, length(parents) AS parents FROM ${tables.commits} FINAL WHERE sha = {sha:String}`, { sha: pr4.mergeCommit });
    expect(rebased).toEqual({ author: 'Former Member', authored_at: at(T0 + 2 * DAY + HOUR), committed_at: at(T0 + 2 * DAY + 5 * HOUR), parents: 1 });
    const [bot] = await rows(`SELECT author FROM ${tables.commits} FINAL WHERE sha = {sha:String}`, { sha: acme.api.p5 });
    expect(bot).toEqual({ author: 'Build Bot' });
    const [merge] = await rows(`SELECT parents FROM ${tables.commits} FINAL WHERE sha = {sha:String}`, { sha: acme.api.pr1.mergeCommit });
    expect(merge).toEqual({ parents: [acme.api.root, acme.api.pr1.commits[1]] });
  });

  it('reads each deployment\'s outcome from its status history', async () => {
    const { d1, d2, d3, d4, d5, d6, d7 } = acme.api;
    const found = await rows(`SELECT id, environment, status, started_at, finished_at FROM ${tables.deployments} FINAL WHERE repo = 'acme/api' ORDER BY started_at`);
    const id = (databaseId: number) => `github:acme/api:${databaseId}`;
    expect(found).toEqual([
      // queued 14:10, in progress 14:11, success 14:20, inactive the next day when d2 succeeded: a success at 14:20.
      { id: id(d1.databaseId), environment: 'production', status: 'success', started_at: at(T0 + 5 * HOUR + 10 * MINUTE), finished_at: at(T0 + 5 * HOUR + 20 * MINUTE) },
      { id: id(d2.databaseId), environment: 'production', status: 'success', started_at: at(T0 + DAY + 5 * HOUR + 10 * MINUTE), finished_at: at(T0 + DAY + 5 * HOUR + 20 * MINUTE) },
      { id: id(d5.databaseId), environment: 'staging', status: 'success', started_at: at(T0 + 2 * DAY + 5 * HOUR + 30 * MINUTE), finished_at: at(T0 + 2 * DAY + 5 * HOUR + 33 * MINUTE) },
      { id: id(d3.databaseId), environment: 'production', status: 'failure', started_at: at(T0 + 2 * DAY + 6 * HOUR), finished_at: at(T0 + 2 * DAY + 6 * HOUR + 8 * MINUTE) },
      { id: id(d4.databaseId), environment: 'production', status: 'success', started_at: at(T0 + 2 * DAY + 7 * HOUR), finished_at: at(T0 + 2 * DAY + 7 * HOUR + 5 * MINUTE) },
      // No status yet: in progress since its creation. Queued, then in progress a minute later.
      { id: id(d7.databaseId), environment: 'production', status: 'in_progress', started_at: at(NOW - 3 * DAY), finished_at: at(NOW - 3 * DAY) },
      { id: id(d6.databaseId), environment: 'production', status: 'in_progress', started_at: at(NOW - 2 * DAY), finished_at: at(NOW - 2 * DAY + MINUTE) },
    ]);
    const [history] = await rows(`SELECT extra['status_history'] AS history FROM ${tables.deployments} FINAL WHERE id = {id:String}`, { id: id(d1.databaseId) });
    expect(history).toEqual({ history: `queued@${d1.statuses[0]!.createdAt} in_progress@${d1.statuses[1]!.createdAt} success@${d1.statuses[2]!.createdAt} inactive@${d1.statuses[3]!.createdAt}` });
  });

  it('names services from the catalog, maps `prod` to production, and turns releases into deployments', async () => {
    const services = await rows(`SELECT service, environment, source, count() AS n FROM ${tables.deployments} FINAL GROUP BY service, environment, source ORDER BY service, environment`);
    expect(services).toEqual([
      { service: 'api', environment: 'production', source: 'github', n: 6 },
      { service: 'api', environment: 'staging', source: 'github', n: 1 },
      { service: 'frontend', environment: 'prerelease', source: 'github-release', n: 1 },
      { service: 'frontend', environment: 'production', source: 'github-release', n: 2 },
      { service: 'jobs', environment: 'production', source: 'github', n: 6 },
    ]);
    const [worker] = await rows(`SELECT count() AS n FROM ${tables.deployments} FINAL WHERE service = 'jobs' AND extra['github_environment'] = 'prod' AND status = 'success'`);
    expect(worker).toEqual({ n: 6 });
    const { v100 } = acme.web;
    const [release] = await rows(`SELECT version, sha, finished_at FROM ${tables.deployments} FINAL WHERE id = {id:String}`, { id: `github:acme/web:release:${v100.databaseId}` });
    expect(release).toEqual({ version: 'v1.0.0', sha: v100.tagCommit, finished_at: at(T0 + 4 * DAY + 10 * MINUTE) });
    // PR #10 of worker has 25 commits: 20 inline, 5 from PullCommits.
    const [job10] = await rows(`SELECT length(commits) AS n FROM ${tables.pullRequests} FINAL WHERE repo = 'acme/worker' AND number = 10`);
    expect(job10).toEqual({ n: 25 });
  });

  it('links incidents to the deployment they name, by id or by SHA', async () => {
    const { d2, d4, pr2 } = acme.api;
    const found = await rows(`SELECT id, opened_at, resolved_at, severity, deployment, extra['sha'] AS sha FROM ${tables.incidents} FINAL ORDER BY opened_at`);
    expect(found).toEqual([
      // Names S2's short SHA; d2 shipped it to production at 14:20, before the incident opened at 15:00.
      { id: 'github:acme/api#3', opened_at: at(T0 + DAY + 6 * HOUR), resolved_at: at(T0 + DAY + 7 * HOUR + 30 * MINUTE), severity: 'sev2', deployment: `github:acme/api:${d2.databaseId}`, sha: pr2.mergeCommit },
      // Names the deployment by id; still open.
      { id: 'github:acme/api#8', opened_at: at(T0 + 3 * DAY + 2 * HOUR), resolved_at: null, severity: '', deployment: `github:acme/api:${d4.databaseId}`, sha: '' },
      // A SHA GitHub does not know: kept for derive, no deployment.
      { id: 'github:acme/api#10', opened_at: at(T0 + 3 * DAY + 5 * HOUR), resolved_at: at(T0 + 3 * DAY + 5 * HOUR + 45 * MINUTE), severity: 'high', deployment: '', sha: '0123abc' },
    ]);
  });

  it('saves a cursor per repository and kind; an unfinished deployment holds the watermark', async () => {
    const cursors = Object.fromEntries(
      (await rows<{ scope: string; cursor: string }>(`SELECT scope, cursor FROM ${tables.cursors} FINAL WHERE source = 'github' AND scope LIKE 'acme/api:%'`)).map((row) => [row.scope, JSON.parse(row.cursor)]),
    );
    const from = '2025-10-02T00:00:00.000Z'; // 180 days before 2026-03-31
    const { d6, d7 } = acme.api;
    // Commits within 3 days of the newest (p5, day 3 09:00): all on main but the root: PR #1's two and its merge,
    // PR #2's squash, PR #4's two rebased copies, p5.
    expect(cursors['acme/api:commits']).toEqual({ from, to: new Date(T0 + 3 * DAY).toISOString(), seen: expect.any(Array) });
    expect(cursors['acme/api:commits'].seen).toHaveLength(7);
    expect({ ...cursors, 'acme/api:commits': undefined }).toEqual({
      'acme/api:commits': undefined,
      // The newest PR, #4, updated a minute after its merge; within the 2-minute overlap, only itself.
      'acme/api:pulls': { from, to: new Date(T0 + 2 * DAY + 5 * HOUR + MINUTE).toISOString(), seen: [`4@${iso(T0 + 2 * DAY + 5 * HOUR + MINUTE)}`] },
      // d7 (no status yet, created 3 days ago) may still change: the next run looks again from there.
      'acme/api:deployments': { from, to: new Date(NOW - 3 * DAY).toISOString(), seen: [`${d7.databaseId}@0@`, `${d6.databaseId}@2@${d6.statuses[1]!.createdAt}`] },
      'acme/api:releases': { from, to: from },
      'acme/api:incidents': { from, to: new Date(T0 + 3 * DAY + 5 * HOUR + 45 * MINUTE).toISOString(), seen: [`10@${iso(T0 + 3 * DAY + 5 * HOUR + 45 * MINUTE)}`] },
    });
  });
});

describe('dora collect github, later runs', () => {
  it('with nothing new: one request per repository, nothing written', async () => {
    const counts = async () => [tables.commits, tables.pullRequests, tables.deployments, tables.incidents].map((table) => countFinal(store.client, table));
    const before = await Promise.all(await counts());
    const again = await collect();
    // The listing (2, the phantom page included) and one RepoSync per repository. What is read again at the
    // watermarks is unchanged, so nothing is written and incident #10's SHA is not looked up again.
    expect(again.operations).toEqual({ OwnerRepos: 2, RepoSync: 3 });
    expect(again.summary.events).toEqual({ commit: 0, pull_request: 0, deployment: 0, incident: 0 });
    expect(await Promise.all(await counts())).toEqual(before);
  });

  it('picks up what changed: a deployment that finished, a new merged PR, a new incident', async () => {
    const { builder, d6 } = acme.api;
    d6.statuses.push({ state: 'SUCCESS', createdAt: iso(NOW - 2 * DAY + 10 * MINUTE) });
    d6.updatedAt = iso(NOW - 2 * DAY + 10 * MINUTE);
    const pr11 = builder.pull({ title: 'Faster login', author: { name: 'Alice', email: 'alice@example.com', login: 'alice' }, start: NOW - 5 * HOUR, commits: 1, createdAfter: HOUR, mergedAfter: HOUR, strategy: 'squash' });
    builder.issue({ title: 'Spike in 500s', body: 'no idea yet', labels: ['incident'], at: NOW - 2 * HOUR });
    clock.state.now = NOW + HOUR;

    const later = await collect();
    expect(later.operations).toEqual({ OwnerRepos: 2, RepoSync: 3 });
    // Written: d6, PR #11 with its commit and its squash commit, incident #12.
    expect(later.summary.events).toEqual({ commit: 2, pull_request: 1, deployment: 1, incident: 1 });
    const [deployment] = await rows(`SELECT status, finished_at FROM ${tables.deployments} FINAL WHERE id = {id:String}`, { id: `github:acme/api:${d6.databaseId}` });
    expect(deployment).toEqual({ status: 'success', finished_at: at(NOW - 2 * DAY + 10 * MINUTE) });
    const [pull] = await rows(`SELECT merge_sha, merged_at FROM ${tables.pullRequests} FINAL WHERE repo = 'acme/api' AND number = 11`);
    expect(pull).toEqual({ merge_sha: pr11.mergeCommit, merged_at: at(NOW - 3 * HOUR) });
    const [incident] = await rows(`SELECT opened_at, resolved_at FROM ${tables.incidents} FINAL WHERE id = 'github:acme/api#12'`);
    expect(incident).toEqual({ opened_at: at(NOW - 2 * HOUR), resolved_at: null });
    // One PR, its own commit and its squash commit, one incident more; d6 replaced in place.
    expect(await countFinal(store.client, tables.pullRequests)).toEqual(66 + 1);
    expect(await countFinal(store.client, tables.commits)).toEqual(227 + 2);
    expect(await countFinal(store.client, tables.deployments)).toEqual(16);
    expect(await countFinal(store.client, tables.incidents)).toEqual(3 + 1);
  });
});
