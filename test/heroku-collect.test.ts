import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerokuCollector } from '../src/collectors/heroku/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { ConfigError } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { saveCursor } from '../src/store/writer.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { commits, firstRunAt, pipelineStory, secondRunAt, sha, type Story } from './fakes/heroku/story.js';
import type { FakeRelease } from './fakes/heroku/types.js';
import { queryRows, tempStore } from './helpers/store.js';

/**
 * The Heroku collector against a local Platform API, into the real embedded store:
 * the pipeline story of fakes/heroku/story.ts over two runs, then bad input.
 */

const TOKEN = 'heroku-collect-token-42';
let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakeHeroku;
let story: Story;
let now = firstRunAt;
const waits: number[] = [];
const collector = createHerokuCollector({ sleep: async (ms) => void waits.push(ms), now: () => now });
const agent = Config.parse({ services: { shop: { repos: ['acme/shop'], heroku: ['shop-staging', 'shop-prod'] } } });

async function collect(section: unknown, url = fake.url) {
  let stderr = '';
  const log = createLogger({ out: () => undefined, err: (text) => void (stderr += text), interactive: false });
  const summary = await runCollector(store.client, collector, {
    agent,
    section,
    log,
    env: { HEROKU_API_KEY: TOKEN, HEROKU_API_URL: url },
  });
  return { summary, stderr };
}

const deployments = (service: string) =>
  queryRows<Record<string, string>>(
    store.client,
    `SELECT id, environment, status, sha, finished_at, rollback_of, repo,
            extra['heroku_commit_from'] AS commit_from, extra['heroku_rolled_back_by'] AS rolled_back_by,
            extra['heroku_config_releases'] AS config_releases
     FROM deployments FINAL WHERE service = {service:String} ORDER BY environment, finished_at`,
    { service },
  );

const cursors = () =>
  queryRows<{ scope: string; version: number }>(
    store.client,
    `SELECT scope, JSONExtractUInt(cursor, 'version') AS version FROM collector_cursors FINAL WHERE source = 'heroku' ORDER BY scope`,
  );

beforeAll(async () => {
  store = await tempStore();
  story = pipelineStory();
  fake = await startFakeHeroku(story.data, { token: TOKEN });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('heroku collector: a pipeline with a staging and a production app', () => {
  it('first run: promotions, a failed release phase, a config change, a rollback, a pending release', async () => {
    const { summary, stderr } = await collect({ pipelines: ['shop'] });
    expect(stderr).toEqual('');
    // staging v2-v5 (4 deploys) + prod v3, v4, v6, v7, v8, v9 (6) = 10. v4 (noted with the config change) and
    // v7 (marked as rolled back) are updated within their batch, which writes each id once.
    expect(summary.events.deployment).toEqual(10);
    const t = (iso: string) => iso.replace('T', ' ').replace('Z', '');
    expect(await deployments('shop')).toEqual([
      { id: 'heroku:shop-prod:v3', environment: 'production', status: 'success', sha: commits.c1, finished_at: t('2026-03-02T11:02:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:shop-prod:v4', environment: 'production', status: 'success', sha: commits.c2, finished_at: t('2026-03-03T14:02:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '["v5 Set FEATURE_X config vars"]' },
      { id: 'heroku:shop-prod:v6', environment: 'production', status: 'failure', sha: commits.c3, finished_at: t('2026-03-04T15:05:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:shop-prod:v7', environment: 'production', status: 'success', sha: commits.c3, finished_at: t('2026-03-05T10:03:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: 'heroku:shop-prod:v8', config_releases: '' },
      { id: 'heroku:shop-prod:v8', environment: 'production', status: 'success', sha: commits.c2, finished_at: t('2026-03-05T12:00:30.000Z'), rollback_of: 'heroku:shop-prod:v7', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '' },
      // Slug s4 names no commit: the staging build that made it does (a promotion carries the staging commit).
      { id: 'heroku:shop-prod:v9', environment: 'production', status: 'in_progress', sha: commits.c4, finished_at: t('2026-03-06T15:00:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'build', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:shop-staging:v2', environment: 'staging', status: 'success', sha: commits.c1, finished_at: t('2026-03-02T10:01:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:shop-staging:v3', environment: 'staging', status: 'success', sha: commits.c2, finished_at: t('2026-03-03T10:01:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:shop-staging:v4', environment: 'staging', status: 'success', sha: commits.c3, finished_at: t('2026-03-04T10:01:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'slug', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:shop-staging:v5', environment: 'staging', status: 'success', sha: commits.c4, finished_at: t('2026-03-06T10:01:00.000Z'), rollback_of: '', repo: 'acme/shop', commit_from: 'build', rolled_back_by: '', config_releases: '' },
    ]);
    // The pending v9 holds shop-prod's cursor at v8; staging is final up to v5.
    expect(await cursors()).toEqual([
      { scope: 'shop-prod', version: 8 },
      { scope: 'shop-staging', version: 5 },
    ]);
    expect(fake.unexpected).toEqual([]);
    expect(waits).toEqual([]);
  });

  it('second run: reads only newer releases plus the pending one, which has now succeeded', async () => {
    story.advance();
    now = secondRunAt;
    fake.requests.length = 0;
    const { summary, stderr } = await collect({ pipelines: ['shop'] });
    expect(stderr).toEqual('');
    expect(fake.requests.filter((request) => request.path.endsWith('/releases')).map((request) => [request.path, request.range])).toEqual([
      ['/apps/shop-staging/releases', 'version ]5..; max=1000, order=asc'],
      ['/apps/shop-prod/releases', 'version ]8..; max=1000, order=asc'],
    ]);
    // Only v9, now a success and noted with the add-on release v10 of the same page; staging has nothing new.
    expect(summary.events.deployment).toEqual(1);
    const [v9] = (await deployments('shop')).filter((row) => row.id === 'heroku:shop-prod:v9');
    expect(v9).toMatchObject({ status: 'success', sha: commits.c4, finished_at: '2026-03-06 15:04:00.000', config_releases: '["v10 Attach REDIS (@ref:redis-curly-12345)"]' });
    expect((await deployments('shop')).length).toEqual(10);
    expect(await cursors()).toEqual([
      { scope: 'shop-prod', version: 10 },
      { scope: 'shop-staging', version: 5 },
    ]);
  });

  it('a run with nothing new writes nothing; collecting again from scratch gives the same rows', async () => {
    const before = await deployments('shop');
    const quiet = await collect({ pipelines: ['shop'] });
    expect(quiet.summary.events.deployment).toEqual(0);
    for (const app of ['shop-prod', 'shop-staging']) await saveCursor(store.client, 'heroku', app, '{"version":0,"slug":null,"live":null}');
    await collect({ pipelines: ['shop'] });
    expect(await deployments('shop')).toEqual(before);
  });
});

describe('heroku collector: bad input', () => {
  const X1 = sha('odd x1');
  let odd: FakeHeroku;

  beforeAll(async () => {
    const app = { id: '3e1d0f00-0000-4000-8000-0000000000dd', name: 'odd-app' };
    const at = (hour: number) => `2026-03-09T${String(hour).padStart(2, '0')}:00:00Z`;
    const release = (version: number, description: string, slug: string | null): FakeRelease => ({
      id: `0dd00000-0000-4000-8000-${String(version).padStart(12, '0')}`, version, description, status: 'succeeded',
      created_at: at(version), updated_at: at(version), slug: slug ? { id: slug } : null, app,
    });
    odd = await startFakeHeroku(
      {
        apps: [app],
        pipelines: [],
        couplings: [],
        releases: {
          'odd-app': [
            release(1, 'Initial release', null),
            release(2, 'Deploy 1234abc', 'slug-x1'),
            // Deliberately malformed, as a broken proxy or a schema change might send it.
            { ...release(3, 'Deploy 5678def', 'slug-x9'), status: 'done', created_at: 'yesterday' } as unknown as FakeRelease,
            release(4, 'Deployed from the dashboard', 'slug-gone'),
            release(5, 'Rollback to v2 (by ops@example.com)', 'slug-x1'),
            release(6, 'Deploy 9f8e7d6', null),
          ],
        },
        // The slug names a release label, not a SHA; its build has the commit. slug-gone was deleted.
        slugs: [{ id: 'slug-x1', commit: 'release-2026.03' }],
        builds: {
          'odd-app': [{ id: 'b-x1', created_at: at(2), updated_at: at(2), status: 'succeeded', source_blob: { version: X1 }, slug: { id: 'slug-x1' }, user: {} }],
        },
      },
      { token: TOKEN, pageLimit: 2 },
    );
  });
  afterAll(() => odd.close());

  it('keeps every valid release, names each bad one, and goes on past an unknown app', async () => {
    const failure = await collect({ apps: ['odd-app', 'ghost-app'] }, odd.url).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toEqual(
      `Heroku: 1 app or pipeline could not be collected (1 app was):\n  app "ghost-app": Heroku answered GET /apps/ghost-app with 404: Couldn't find that app.`,
    );
    expect(await deployments('odd-app')).toEqual([
      { id: 'heroku:odd-app:v2', environment: 'production', status: 'success', sha: X1, finished_at: '2026-03-09 02:00:00.000', rollback_of: '', repo: '', commit_from: 'build', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:odd-app:v4', environment: 'production', status: 'success', sha: '', finished_at: '2026-03-09 04:00:00.000', rollback_of: '', repo: '', commit_from: '', rolled_back_by: 'heroku:odd-app:v5', config_releases: '' },
      { id: 'heroku:odd-app:v5', environment: 'production', status: 'success', sha: X1, finished_at: '2026-03-09 05:00:00.000', rollback_of: 'heroku:odd-app:v4', repo: '', commit_from: 'build', rolled_back_by: '', config_releases: '' },
      { id: 'heroku:odd-app:v6', environment: 'production', status: 'success', sha: '9f8e7d6', finished_at: '2026-03-09 06:00:00.000', rollback_of: '', repo: '', commit_from: 'description', rolled_back_by: '', config_releases: '' },
    ]);
    const [slugCommit] = await queryRows(store.client, `SELECT extra['heroku_slug_commit'] AS raw FROM deployments FINAL WHERE id = 'heroku:odd-app:v2'`);
    expect(slugCommit).toEqual({ raw: 'release-2026.03' });
    // Three pages of two releases: the cursor advanced page by page to the last one.
    expect(odd.requests.filter((request) => request.path.endsWith('/releases')).map((request) => request.range)).toEqual([
      'version ..; max=1000, order=asc',
      'version ]2..; max=1000, order=asc',
      'version ]4..; max=1000, order=asc',
    ]);
    expect((await cursors()).find((row) => row.scope === 'odd-app')).toEqual({ scope: 'odd-app', version: 6 });
  });

  it('warns with the app, the release and the field', async () => {
    for (const app of ['odd-app']) await saveCursor(store.client, 'heroku', app, '{"version":0,"slug":null,"live":null}');
    const { stderr } = await collect({ apps: ['odd-app'] }, odd.url);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      'warning: heroku release skipped: unexpected payload (app=odd-app, version=3, reason=status: expected one of succeeded, failed, pending, expired; created_at: expected an ISO-8601 time with a zone)',
      'warning: heroku release without a known commit (app=odd-app, version=4, slug=slug-gone)',
      'warning: heroku release without a slug taken as a deployment from its description (app=odd-app, version=6)',
    ]);
  });

  it('asks for apps or pipelines when the section names neither', async () => {
    const failure = await collect({ includeConfigReleases: false }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toEqual(
      'invalid configuration for the heroku collector:\n  sources.heroku: name at least one app or pipeline: "apps": ["my-app"] or "pipelines": ["my-pipeline"] (flags --app, --pipeline)',
    );
  });
});

describe('heroku collector: a long history', () => {
  it('reads the builds instead of each slug when a page has many new slugs', async () => {
    const app = { id: '4b0c0000-0000-4000-8000-0000000000b1', name: 'busy-app' };
    const n = 250;
    const at = (i: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3_600_000).toISOString();
    const slugId = (i: number) => `51a90000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const busy = await startFakeHeroku(
      {
        apps: [app],
        pipelines: [],
        couplings: [],
        releases: {
          'busy-app': Array.from({ length: n }, (_, i): FakeRelease => ({
            id: `be000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, version: i + 1, description: `Deploy ${sha(`busy ${i}`).slice(0, 7)}`,
            status: 'succeeded', created_at: at(i), updated_at: at(i), slug: { id: slugId(i) },
          })),
        },
        slugs: [],
        builds: {
          'busy-app': Array.from({ length: n }, (_, i) => ({
            id: `b0b00000-0000-4000-8000-${String(i).padStart(12, '0')}`, created_at: at(i), updated_at: at(i), status: 'succeeded' as const,
            source_blob: { version: sha(`busy ${i}`) }, slug: { id: slugId(i) }, user: {},
          })),
        },
      },
      { token: TOKEN, pageLimit: 100 },
    );
    try {
      const { summary, stderr } = await collect({ apps: ['busy-app'] }, busy.url);
      expect(stderr).toEqual('');
      expect(summary.events.deployment).toEqual(n);
      // 250 builds, served 100 a page: three requests once for the whole run, and not one per slug.
      expect(busy.requests.filter((request) => request.path.includes('/builds')).map((request) => request.range)).toEqual([
        'id ..; max=1000',
        'id ]b0b00000-0000-4000-8000-000000000099..; max=1000, order=asc',
        'id ]b0b00000-0000-4000-8000-000000000199..; max=1000, order=asc',
      ]);
      expect(busy.requests.filter((request) => request.path.endsWith('/releases')).length).toEqual(3);
      expect(busy.requests.filter((request) => request.path.includes('/slugs/')).length).toEqual(0);
      const [row] = await queryRows<{ n: number; with_build_sha: number }>(
        store.client,
        `SELECT count() AS n, countIf(extra['heroku_commit_from'] = 'build' AND length(sha) = 40) AS with_build_sha
         FROM deployments FINAL WHERE service = 'busy-app'`,
      );
      expect(row).toEqual({ n, with_build_sha: n });
      const [last] = await queryRows(store.client, `SELECT sha FROM deployments FINAL WHERE id = 'heroku:busy-app:v250'`);
      expect(last).toEqual({ sha: sha('busy 249') });
    } finally {
      await busy.close();
    }
  });
});
