import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerokuCollector } from '../src/collectors/heroku/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import { buildReport, renderReport, type Report } from '../src/reports/index.js';
import { startFakeHeroku, type FakeHeroku } from './fakes/heroku/server.js';
import { firstRunAt, pipelineStory, secondRunAt, type Story } from './fakes/heroku/story.js';
import { tempStore } from './helpers/store.js';

/**
 * The pipeline story of fakes/heroku/story.ts, collected from the local Platform API
 * and read back through the report (issue 3): the figures a user sees for the
 * service, worked out by hand from the story.
 */

const TOKEN = 'heroku-report-token-99';
let store: Awaited<ReturnType<typeof tempStore>>;
let fake: FakeHeroku;
let story: Story;
let now = firstRunAt;
const collector = createHerokuCollector({ sleep: async () => undefined, now: () => now });
const config = Config.parse({ services: { shop: { repos: ['acme/shop'], heroku: ['shop-staging', 'shop-prod'] } } });
const window = { since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-09T00:00:00Z') };

let table = '';

async function collectAndReport(): Promise<Report> {
  const log = createLogger({ out: () => undefined, err: () => undefined, interactive: false });
  await runCollector(store.client, collector, { agent: config, section: { pipelines: ['shop'] }, log, env: { HEROKU_API_KEY: TOKEN, HEROKU_API_URL: fake.url } });
  const report = await buildReport(store.client, { ...window, config });
  table = renderReport(report, 'table');
  // Through the JSON renderer: the stable shape other tools read.
  return JSON.parse(renderReport(report, 'json')) as Report;
}

beforeAll(async () => {
  store = await tempStore();
  story = pipelineStory();
  fake = await startFakeHeroku(story.data, { token: TOKEN });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('report over Heroku releases', () => {
  it('first run: the pending promotion is not counted yet', async () => {
    const shop = (await collectAndReport()).services.shop!;
    // Production successes: v3 (03-02), v4 (03-03), v7 and v8 (03-05) = 4 on 3 days.
    // v6 failed its release phase: a deploy failure, not a deployment. v9 is still pending.
    expect([shop.deployment_frequency.deployments, shop.deployment_frequency.deploy_days, shop.deployment_frequency.deploy_failures]).toEqual([4, 3, 1]);
    // v7 was rolled back by v8 ("Rollback to v5"): 1 failed of 4 = 0.25.
    expect(shop.change_failure_rate).toEqual({ failed: 1, deployments: 4, rate: 0.25, tier: null });
    // One rollback (v8) among 4 production deployments.
    expect(shop.rework_rate).toEqual({ deployments: 4, rework: 1, rate: 0.25 });
    // v7 finished 03-05 10:03:00, v8 (did not fail) 12:00:30: 1 h 57 min 30 s = 7050 s.
    expect(shop.recovery_time).toEqual({ failed: 1, recovered: 1, median_seconds: 7050, tier: null });
  });

  it('second run: the promotion has succeeded and counts', async () => {
    story.advance();
    now = secondRunAt;
    const shop = (await collectAndReport()).services.shop!;
    // + v9 (03-06 15:04): 5 deployments on 4 days; the add-on release v10 is not one.
    expect([shop.deployment_frequency.deployments, shop.deployment_frequency.deploy_days, shop.deployment_frequency.deploy_failures]).toEqual([5, 4, 1]);
    // Still one failed (v7): 1 / 5 = 0.2, above 15 %: "low", now that 5 rows allow a tier.
    // Rework: the one rollback, 1 / 5 = 0.2.
    expect(shop.change_failure_rate).toEqual({ failed: 1, deployments: 5, rate: 0.2, tier: 'low' });
    expect(shop.rework_rate).toEqual({ deployments: 5, rework: 1, rate: 0.2 });
    // What a user reads in the terminal for the service.
    const service = table.slice(table.indexOf('service shop'));
    expect(service).toContain('change failure rate         20 % (1/5)');
    expect(service).toContain('rework rate                 20 % (1/5)');
    expect(service).toContain('5 deployments on 4 days');
    expect(service).toContain('1 failed attempt');
  });
});
