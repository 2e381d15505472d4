import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRepo } from './git-fixture.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/**
 * From a real repository to the report: `dora collect git` then `dora report`
 * gives the figures worked out by hand below, and the same figures as importing
 * the equivalent canonical events.
 */

const tmp = tempDir('dora-git-report-');
const home = join(tmp.dir, 'store');
const dora = (...args: string[]) => runCli(['--home', home, ...args]);
afterAll(() => tmp.remove());
const sha: Record<string, string> = {};
const window = ['--since', '2026-03-01', '--until', '2026-03-08'];

beforeAll(() => {
  const repo = TestRepo.init(join(tmp.dir, 'shop'));
  repo.git(['remote', 'add', 'origin', 'https://github.com/acme/shop.git']);
  sha.c0 = repo.commit('Initial commit', '2026-03-01T09:00:00Z');
  repo.tag('v1.0', sha.c0, '2026-03-01T10:00:00Z'); // D0, the baseline
  repo.checkout('feature/cart', { create: true });
  sha.a1 = repo.commit('Add cart model', '2026-03-02T09:00:00Z');
  sha.a2 = repo.commit('Add cart view', '2026-03-02T13:00:00Z');
  repo.checkout('main');
  sha.m1 = repo.merge('feature/cart', 'Merge pull request #1 from acme/feature/cart', '2026-03-03T09:00:00Z');
  sha.s1 = repo.commit('Add search (#2)', '2026-03-03T11:00:00Z', { authorDate: '2026-03-02T15:00:00Z' }); // squash
  repo.tag('v1.1', sha.s1); // D1, lightweight: finished at s1's committer date
  sha.d1 = repo.commit('Tune ranking', '2026-03-04T09:00:00Z');
  repo.tag('v1.2', sha.d1, '2026-03-04T12:00:00Z'); // D2
  repo.tag('v1.2.1', sha.s1, '2026-03-04T14:00:00Z'); // D3, back to s1: rolls D2 back
  sha.r1 = repo.revert(sha.d1, '2026-03-05T09:00:00Z');
  repo.tag('v1.3', sha.r1, '2026-03-05T10:00:00Z'); // D4
});

/**
 * By hand, window [2026-03-01, 2026-03-08), 7 days:
 * - deployments D0 (03-01 10:00), D1 (03-03 11:00), D2 (03-04 12:00), D3 (03-04 14:00), D4 (03-05 10:00) = 5,
 *   on 4 distinct days; 5/7 per day, 5 per week.
 * - lead time: D0 is the baseline (c0 excluded). D1 ships a1 (authored 03-02 09:00: 26 h), a2 (13:00: 22 h),
 *   m1 (03-03 09:00: 2 h), s1 (authored 03-02 15:00: 20 h); D2 ships d1 (03-04 09:00 -> 12:00: 3 h);
 *   D3 ships nothing new; D4 ships r1 (09:00 -> 10:00: 1 h). Sorted 1, 2, 3, 20, 22, 26 h, n = 6:
 *   median at rank 2.5 = 3 + 0.5 * 17 = 11.5 h = 41,400 s; p90 at rank 4.5 = 22 + 0.5 * 4 = 24 h = 86,400 s.
 * - D3's commit s1 is a strict ancestor of D2's d1: D3 rolls D2 back. Failed: D2, 1 of 5 = 0.2.
 * - rework: D3 is a rollback, 1 of 5 = 0.2. Recovery: D2 (12:00) -> D3 (14:00) = 2 h = 7,200 s.
 */
const expected = {
  deployments: 5,
  deploy_days: 4,
  per_week: 5,
  lead: { changes: 6, median_seconds: 41_400, p90_seconds: 86_400 },
  failure: { failed: 1, deployments: 5, rate: 0.2 },
  rework: { deployments: 5, rework: 1, rate: 0.2 },
  recovery: { failed: 1, recovered: 1, median_seconds: 7_200 },
};

function figures(report: any, service: string) {
  const metrics = report.services[service];
  return {
    deployments: metrics.deployment_frequency.deployments,
    deploy_days: metrics.deployment_frequency.deploy_days,
    per_week: metrics.deployment_frequency.per_week,
    lead: { changes: metrics.lead_time.changes, median_seconds: metrics.lead_time.median_seconds, p90_seconds: metrics.lead_time.p90_seconds },
    failure: { failed: metrics.change_failure_rate.failed, deployments: metrics.change_failure_rate.deployments, rate: metrics.change_failure_rate.rate },
    rework: metrics.rework_rate,
    recovery: { failed: metrics.recovery_time.failed, recovered: metrics.recovery_time.recovered, median_seconds: metrics.recovery_time.median_seconds },
  };
}

describe('dora collect git, then dora report', () => {
  it('gives the figures worked out by hand', async () => {
    const collected = await dora('collect', 'git', '--repo', join(tmp.dir, 'shop'), '--deploy-tags', 'v*');
    expect(collected.code).toBe(0);
    expect(collected.stderr).toContain('collected from git: 7 commit, 5 deployment');
    const report = await dora('report', ...window, '--service', 'shop', '--format', 'json');
    expect(report.code).toBe(0);
    expect(figures(report.json(), 'shop')).toEqual(expected);
  });

  it('gives the same figures as importing the equivalent canonical events', async () => {
    const at = (day: string, time: string) => `2026-03-0${day}T${time}:00Z`;
    const commit = (name: string, parents: string[], authored: string, committed = authored) =>
      ({ kind: 'commit', repo: 'acme/shop-imported', sha: sha[name], parents: parents.map((parent) => sha[parent]), authored_at: authored, committed_at: committed });
    const deployment = (id: string, commitName: string, finished: string, rollbackOf?: string) =>
      ({ kind: 'deployment', id, service: 'shop-imported', environment: 'production', status: 'success', repo: 'acme/shop-imported',
        sha: sha[commitName], finished_at: finished, ...(rollbackOf ? { rollback_of: rollbackOf } : {}) });
    const events = [
      commit('c0', [], at('1', '09:00')),
      commit('a1', ['c0'], at('2', '09:00')),
      commit('a2', ['a1'], at('2', '13:00')),
      commit('m1', ['c0', 'a2'], at('3', '09:00')),
      commit('s1', ['m1'], at('2', '15:00'), at('3', '11:00')),
      commit('d1', ['s1'], at('4', '09:00')),
      commit('r1', ['d1'], at('5', '09:00')),
      deployment('imp:v1.0', 'c0', at('1', '10:00')),
      deployment('imp:v1.1', 's1', at('3', '11:00')),
      deployment('imp:v1.2', 'd1', at('4', '12:00')),
      deployment('imp:v1.2.1', 's1', at('4', '14:00'), 'imp:v1.2'),
      deployment('imp:v1.3', 'r1', at('5', '10:00')),
    ];
    const file = join(tmp.dir, 'equivalent.ndjson');
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n'));
    expect((await dora('import', file)).code).toBe(0);
    const report = (await dora('report', ...window, '--service', 'shop', '--service', 'shop-imported', '--format', 'json')).json();
    expect(figures(report, 'shop-imported')).toEqual(expected);
    expect(figures(report, 'shop')).toEqual(figures(report, 'shop-imported'));
  });
});
