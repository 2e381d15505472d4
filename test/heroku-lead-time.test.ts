import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerokuCollector } from '../src/collectors/heroku/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { importEvents } from '../src/ingest/import.js';
import { createLogger } from '../src/log.js';
import { buildReport, renderReport, type Report } from '../src/reports/index.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { commits, pipelineStory, secondRunAt, sha } from './fakes/heroku/story.js';
import { tempStore } from './helpers/store.js';

/**
 * A user with only Heroku and GitHub: the releases' commits (from slugs and builds)
 * join the GitHub history of acme/shop — commit and pull request events shaped as
 * the GitHub collector emits them (repo `owner/name`, full SHAs) — for lead time.
 *
 *   c1 (root, 03-01 09:00) ── shipped by prod v3: the baseline, no lead time
 *   PR #2 branch b2 (authored 03-02 08:00), squash-merged as c2 ── prod v4, 03-03 14:02
 *   c3 pushed straight to main (authored 03-03 16:00) ── prod v7, 03-05 10:03 (v6 failed, never live)
 *   PR #4 branch d4 (authored 03-05 13:00), merged with merge commit c4 ── prod v9, 03-06 15:04
 *   prod v8 rolls back to c2: it ships nothing new.
 */

const TOKEN = 'heroku-lead-token-77';
let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakeHeroku;
const b2 = sha('b2');
const d4 = sha('d4');
const config = Config.parse({ services: { shop: { repos: ['acme/shop'], heroku: ['shop-staging', 'shop-prod'] } } });

const github = [
  { kind: 'commit', repo: 'acme/shop', sha: commits.c1, parents: [], author: 'ada', authored_at: '2026-03-01T09:00:00Z', committed_at: '2026-03-01T09:00:00Z', message: 'Initial shop' },
  { kind: 'commit', repo: 'acme/shop', sha: b2, parents: [commits.c1], author: 'ada', authored_at: '2026-03-02T08:00:00Z', committed_at: '2026-03-02T08:00:00Z', message: 'Add cart' },
  { kind: 'commit', repo: 'acme/shop', sha: commits.c2, parents: [commits.c1], author: 'ada', authored_at: '2026-03-02T08:00:00Z', committed_at: '2026-03-03T09:00:00Z', message: 'Add cart (#2)' },
  { kind: 'commit', repo: 'acme/shop', sha: commits.c3, parents: [commits.c2], author: 'grace', authored_at: '2026-03-03T16:00:00Z', committed_at: '2026-03-03T16:00:00Z', message: 'Cache prices' },
  { kind: 'commit', repo: 'acme/shop', sha: d4, parents: [commits.c3], author: 'alan', authored_at: '2026-03-05T13:00:00Z', committed_at: '2026-03-05T13:00:00Z', message: 'Fix price cache' },
  { kind: 'commit', repo: 'acme/shop', sha: commits.c4, parents: [commits.c3, d4], author: 'alan', authored_at: '2026-03-06T09:00:00Z', committed_at: '2026-03-06T09:00:00Z', message: 'Merge pull request #4 from acme/fix-cache' },
  { kind: 'pull_request', repo: 'acme/shop', number: 2, title: 'Add cart', author: 'ada', created_at: '2026-03-02T12:00:00Z', first_review_at: '2026-03-02T15:00:00Z', merged_at: '2026-03-03T09:00:00Z', merge_sha: commits.c2, base: 'main', commits: [b2], labels: [], url: 'https://github.com/acme/shop/pull/2' },
  { kind: 'pull_request', repo: 'acme/shop', number: 4, title: 'Fix price cache', author: 'alan', created_at: '2026-03-05T14:00:00Z', first_review_at: '2026-03-05T16:00:00Z', merged_at: '2026-03-06T09:00:00Z', merge_sha: commits.c4, base: 'main', commits: [d4], labels: [], url: 'https://github.com/acme/shop/pull/4' },
];

beforeAll(async () => {
  store = await tempStore();
  const story = pipelineStory();
  story.advance();
  fake = await startFakeHeroku(story.data, { token: TOKEN });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('lead time across Heroku and GitHub', () => {
  it('joins each release commit to the GitHub history', async () => {
    const imported = await importEvents(store.client, Readable.from([github.map((event) => JSON.stringify(event)).join('\n')]), { scope: 'github-export' });
    expect(imported.rejected).toEqual(0);
    const log = createLogger({ out: () => undefined, err: () => undefined, interactive: false });
    const collector = createHerokuCollector({ sleep: async () => undefined, now: () => secondRunAt });
    await runCollector(store.client, collector, { agent: config, section: { pipelines: ['shop'] }, log, env: { HEROKU_API_KEY: TOKEN, HEROKU_API_URL: fake.url } });

    const report = JSON.parse(
      renderReport(await buildReport(store.client, { since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-09T00:00:00Z'), config }), 'json'),
    ) as Report;
    const lead = report.services.shop!.lead_time;
    // PR #2: shipped 03-03 14:02 - start 03-02 08:00 (b2)      = 30 h 02 min = 108,120 s
    // c3:    shipped 03-05 10:03 - authored 03-03 16:00        = 42 h 03 min = 151,380 s
    // PR #4: shipped 03-06 15:04 - start 03-05 13:00 (d4)      = 26 h 04 min =  93,840 s
    // sorted 93,840 < 108,120 < 151,380: median 108,120;
    // p90 at rank (3 - 1) x 0.9 = 1.8: 108,120 + 0.8 x (151,380 - 108,120) = 142,728.
    expect([lead.changes, lead.median_seconds, lead.p90_seconds]).toEqual([3, 108_120, 142_728]);
    // Both PRs were reviewed: pickup = first review - created, PR #2 3 h (10,800 s), PR #4 2 h (7,200 s); median 9,000.
    expect([lead.breakdown.pull_requests, lead.breakdown.pickup.median_seconds]).toEqual([2, 9_000]);
  });
});
