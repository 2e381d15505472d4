import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubCollector } from '../src/collectors/github/index.js';
import { runCollector } from '../src/collectors/runner.js';
import { Config } from '../src/config/schema.js';
import { buildReport, renderReport } from '../src/reports/index.js';
import { acmeOrg, NOW } from './fakes/github/acme.js';
import { memoryLog, virtualClock } from './fakes/github/harness.js';
import { FakeGithub } from './fakes/github/server.js';
import { tempStore } from './helpers/store.js';

// The report (issue 3's buildReport) over what the GitHub collector stored for the
// generated organisation: the figures a user would see, worked out by hand from
// test/fakes/github/acme.ts.

const clock = virtualClock(NOW);
const agent = Config.parse({ services: { jobs: { repos: ['acme/worker'] }, frontend: { repos: ['acme/web'] } } });
let fake: FakeGithub;
let store: Awaited<ReturnType<typeof tempStore>>;

beforeAll(async () => {
  fake = await FakeGithub.start({ org: acmeOrg().org, now: clock.now });
  store = await tempStore();
  await runCollector(store.client, createGithubCollector({ sleep: clock.sleep, now: clock.now }), {
    agent, section: { org: 'acme', exclude: ['sandbox-*'], releasesAsDeployments: true }, log: memoryLog().log,
    env: { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: fake.url },
  });
});
afterAll(async () => {
  await fake.close();
  await store.dispose();
});

describe('dora report over the collected acme organisation, March 2026', () => {
  it('gives the report the organisation\'s figures', async () => {
    const report = await buildReport(store.client, { since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-31T00:00:00Z'), config: agent });
    const api = report.services.api!;
    // Production successes d1 (03-02 14:20), d2 (03-03 14:20), d4 (03-04 16:05); d3 failed to deploy; d6, d7 unfinished.
    expect(api.deployment_frequency).toMatchObject({ deployments: 3, deploy_days: 3, deploy_failures: 1 });
    // d1 is the baseline. d2 ships PR #2 (first commit 03-03 09:00): 5 h 20 min = 19,200 s. d4 ships PR #4,
    // rebased (first commit 03-04 09:00): 7 h 05 min = 25,500 s. Median 22,350 s; p90 19,200 + 0.9 x 6,300 = 24,870 s.
    expect(api.lead_time).toMatchObject({ changes: 2, median_seconds: 22350, p90_seconds: 24870 });
    // Incident #3 names d2's commit, #8 names d4, #10 (no deployment) falls in d4's 24 h window: 2 of 3 failed.
    expect(api.change_failure_rate).toEqual({ failed: 2, deployments: 3, rate: 2 / 3, tier: null });
    // #3 resolved in 90 min, #10 in 45 min, #8 open: median (5,400 + 2,700) / 2 = 4,050 s.
    expect(api.time_to_restore).toMatchObject({ incidents: 3, resolved: 2, open: 1, invalid: 0, median_seconds: 4050 });
    // Neither failed deployment was followed by one that did not fail.
    expect(api.recovery_time).toMatchObject({ failed: 2, recovered: 0, median_seconds: null });

    const jobs = report.services.jobs!;
    // Six deployments of `prod`, the first the baseline; each later one ships 10 PRs whose lead times are
    // n x 8 h + 5 h 42 min for n = 0..9 (a PR's first commit to the deployment 42 min after the 10th PR merged).
    // 50 changes, five of each n: median at n = 4.5 -> 4.5 x 28,800 + 20,520 = 150,120 s;
    // p90 at rank 44.1 (0-based): n = 8 plus 0.1 x 8 h -> 8.1 x 28,800 + 20,520 = 253,800 s.
    expect(jobs.deployment_frequency).toMatchObject({ deployments: 6, deploy_days: 6, deploy_failures: 0 });
    expect(jobs.lead_time).toMatchObject({ changes: 50, median_seconds: 150120 });
    expect(jobs.lead_time.p90_seconds).toBeCloseTo(253800, 6); // interpolation in floating point
    expect(jobs.change_failure_rate).toMatchObject({ failed: 0, deployments: 6, rate: 0 });

    const frontend = report.services.frontend!;
    // Releases v1.0.0 (the baseline) and v1.1.0, published 03-08 09:10, shipping page 2 (first commit 03-07 09:00): 87,000 s.
    expect(frontend.deployment_frequency).toMatchObject({ deployments: 2, deploy_days: 2 });
    expect(frontend.lead_time).toMatchObject({ changes: 1, median_seconds: 87000 });

    expect(report.overall.deployment_frequency.deployments).toEqual(3 + 6 + 2);
    expect(report.overall.lead_time.changes).toEqual(2 + 50 + 1);
    expect(renderReport(report, 'table')).toContain('frontend');
  });

});
