import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerokuCollector } from '../src/collectors/heroku/index.js';
import { Config } from '../src/config/schema.js';
import { ConfigError } from '../src/errors.js';
import { saveCursor } from '../src/store/writer.js';
import { collector as collectorFor, cursorVersions, deploymentRows } from './fakes/heroku/harness.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { sha } from './fakes/heroku/story.js';
import type { FakeRelease } from './fakes/heroku/types.js';
import { queryRows, tempStore } from './helpers/store.js';

/** The Heroku collector on bad input and on a long history, into the real embedded store. */

const TOKEN = 'heroku-input-token-43';
let store: Awaited<ReturnType<typeof tempStore>>;
const heroku = createHerokuCollector({ sleep: async () => undefined });
const collect = (section: unknown, url: string) => collectorFor(store.client, heroku, Config.parse({}), TOKEN)(section, url);
const deployments = (service: string) => deploymentRows(store.client, service);
const cursors = () => cursorVersions(store.client);

beforeAll(async () => {
  store = await tempStore();
});
afterAll(() => store.dispose());

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
    const failure = await collect({ includeConfigReleases: false }, odd.url).catch((error: unknown) => error);
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
