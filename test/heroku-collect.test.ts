import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerokuCollector } from '../src/collectors/heroku/index.js';
import { Config } from '../src/config/schema.js';
import { saveCursor } from '../src/store/writer.js';
import { collector as collectorFor, cursorVersions, deploymentRows } from './fakes/heroku/harness.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { commits, firstRunAt, pipelineStory, secondRunAt, type Story } from './fakes/heroku/story.js';
import { tempStore } from './helpers/store.js';

/**
 * The Heroku collector against a local Platform API, into the real embedded store:
 * the pipeline story of fakes/heroku/story.ts over two runs (bad input and long
 * histories: heroku-input.test.ts).
 */

const TOKEN = 'heroku-collect-token-42';
let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakeHeroku;
let story: Story;
let now = firstRunAt;
const waits: number[] = [];
const heroku = createHerokuCollector({ sleep: async (ms) => void waits.push(ms), now: () => now });
const agent = Config.parse({ services: { shop: { repos: ['acme/shop'], heroku: ['shop-staging', 'shop-prod'] } } });
const collect = (section: unknown) => collectorFor(store.client, heroku, agent, TOKEN)(section, fake.url);
const deployments = (service: string) => deploymentRows(store.client, service);
const cursors = () => cursorVersions(store.client);

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
