import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDashboards } from '../src/dashboards/boards/index.js';
import { previewDashboard, type PanelResult, type PreviewOptions } from '../src/dashboards/preview.js';
import { failureRateTier, frequencyTier, leadTimeTier, restoreTier } from '../src/dashboards/sql/common.js';
import * as reportTiers from '../src/reports/benchmarks.js';
import type { Benchmark } from '../src/reports/types.js';
import { openStore } from '../src/store/connect.js';
import { commit, deployment, incident, line, pullRequest, toNdjson, type Raw } from './fixtures/report/events.js';
import { runCli } from './helpers/cli.js';
import { queryRows, tempDir } from './helpers/store.js';

/**
 * The dashboards over a small hand-built history whose figures are worked out below by
 * hand: the environment filter, the catalog's teams as the agent writes them, the debug
 * view's reasons, and the tiers against the report's own functions.
 */

const tmp = tempDir('dora-dashboards-cases-');
afterAll(() => tmp.remove());
const home = join(tmp.dir, 'store');
const configPath = join(tmp.dir, 'dora.config.json');
const dora = (...args: string[]) => runCli(['--home', home, '--config', configPath, ...args]);
const writeConfig = (services: Record<string, unknown>) => writeFileSync(configPath, JSON.stringify({ services }));

// api (team core): a baseline in February; PR 12 (first commit 08:00, shipped 14:00 by api-2); p1 shipped
// by api-3, which PD-7 hits 20 min later and api-4 rolls back 41 min after it (during PD-7); p2 shipped by
// api-5 in environment "prod"; a failed attempt api-x. web (team storefront): two deployments of commits the
// store does not know, a staging and a cancelled one, an incident still open, one resolved before it opened.
const events: Raw[] = [
  commit('acme/api', 'b0', [], '2026-02-01T09:00:00Z'),
  deployment('api-1', 'api', '2026-02-20T10:00:00Z', { repo: 'acme/api', commit: 'b0' }),
  commit('acme/api', 'f1', ['b0'], '2026-03-02T08:00:00Z'),
  commit('acme/api', 'm1', ['b0', 'f1'], '2026-03-02T12:00:00Z'),
  pullRequest('acme/api', 12, { created: '2026-03-02T09:00:00Z', review: '2026-03-02T10:00:00Z', merged: '2026-03-02T12:00:00Z', merge: 'm1', commits: ['f1'] }),
  deployment('api-2', 'api', '2026-03-02T14:00:00Z', { repo: 'acme/api', commit: 'm1' }),
  ...line('acme/api', ['p1'], 'm1', '2026-03-03T08:00:00Z'),
  deployment('api-3', 'api', '2026-03-03T10:00:00Z', { repo: 'acme/api', commit: 'p1' }),
  incident('PD-7', 'api', '2026-03-03T10:20:00Z', { resolved: '2026-03-03T10:50:00Z' }),
  deployment('api-4', 'api', '2026-03-03T10:41:00Z', { repo: 'acme/api', commit: 'm1', rollbackOf: 'api-3' }),
  ...line('acme/api', ['p2'], 'p1', '2026-03-10T07:00:00Z'),
  deployment('api-x', 'api', '2026-03-10T08:00:00Z', { repo: 'acme/api', commit: 'p2', status: 'failure' }),
  deployment('api-5', 'api', '2026-03-10T09:00:00Z', { repo: 'acme/api', commit: 'p2', environment: 'prod' }),
  deployment('web-1', 'web', '2026-03-04T16:00:00Z', { sha: 'abcdef1' }),
  deployment('web-2', 'web', '2026-03-05T16:00:00Z', { sha: 'abcdef2' }),
  deployment('web-s', 'web', '2026-03-05T15:00:00Z', { sha: 'abcdef2', environment: 'staging' }),
  deployment('web-c', 'web', '2026-03-05T17:00:00Z', { sha: 'abcdef3', status: 'cancelled' }),
  incident('W-1', 'web', '2026-03-11T12:00:00Z'),
  incident('W-2', 'web', '2026-03-12T10:00:00Z', { resolved: '2026-03-12T09:00:00Z' }),
];

beforeAll(async () => {
  writeConfig({ api: { repos: ['acme/api'], team: 'core' }, web: { team: 'storefront' } });
  writeFileSync(join(tmp.dir, 'events.ndjson'), toNdjson(events));
  expect((await dora('import', join(tmp.dir, 'events.ndjson'))).code).toBe(0);
  expect((await dora('dashboards', 'refresh')).code).toBe(0);
});

const boards = allDashboards();
// Three weeks from Monday 2 March 2026, as Grafana sends a day-rounded range (ending 23:59:59.999 on the 22nd).
const threeWeeks = { from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 23) - 1, intervalMs: 86_400_000 };

async function preview(name: string, options: PreviewOptions): Promise<Record<string, PanelResult>> {
  const store = await openStore({ home });
  try {
    const results = await previewDashboard(store.client, boards[name]!, options);
    return Object.fromEntries(results.map((result) => [`${result.refId}:${result.panel}`, result]));
  } finally {
    await store.close();
  }
}
const row = (results: Record<string, PanelResult>, refId: string) => Object.values(results).find((result) => result.refId === refId)!.rows[0];
const rows = (results: Record<string, PanelResult>, refId: string) => Object.values(results).find((result) => result.refId === refId)!.rows;

describe('the DORA figures, by hand', () => {
  it('overview: every service over three weeks', async () => {
    const results = await preview('dora-overview.json', threeWeeks);
    // Production deployments: api-2, api-3, api-4, api-5 (prod), web-1, web-2 = 6 on 5 days (2, 3, 4, 5, 10 March).
    // Deployment days per Monday week: 4 (2-8), 1 (9-15), 0 (16-22): median 1; March: 5. 6 / (21 / 7) = 2 a week.
    // 6 deployments and a median week of 1 day: high (2023). api-x is a failed attempt; web-c cancelled, web-s staging.
    expect(row(results, 'deployment_frequency')).toEqual({
      deployments: 6, per_day: 6 / 21, per_week: 2, deploy_days: 5, deploy_days_per_week_median: 1, deploy_days_per_month_median: 5, deploy_failures: 1, tier: 'high',
    });
    // Changes: PR 12 (08:00 → 14:00 = 21600 s), p1 (08:00 → 10:00 = 7200 s), p2 (07:00 → 09:00 = 7200 s).
    // p90 over [7200, 7200, 21600]: position 1.8 → 7200 + 0.8 × 14400 = 18720. Three changes: no tier.
    expect(row(results, 'lead_time')).toEqual({ changes: 3, median_seconds: 7200, p90_seconds: 18720, tier: null });
    // api-3 failed (PD-7 20 min after it; rolled back by api-4): 1 of 6 = 16.7 %, above 15 %: low.
    expect(row(results, 'change_failure_rate')).toEqual({ failed: 1, deployments: 6, rate: 1 / 6, tier: 'low' });
    // PD-7 resolved after 30 min; W-1 open; W-2 resolved before it opened (invalid, never used).
    expect(row(results, 'time_to_restore')).toEqual({ incidents: 3, resolved: 1, open: 1, invalid: 1, median_seconds: 1800, p90_seconds: 1800, tier: null });
    // api-3 (10:00) recovered by api-4 (10:41): 2460 s.
    expect(row(results, 'recovery_time')).toEqual({ failed: 1, recovered: 1, median_seconds: 2460, tier: null });
    // api-4 is a rollback (and finished while PD-7 was open): 1 of 6.
    expect(row(results, 'rework_rate')).toEqual({ deployments: 6, rework: 1, rate: 1 / 6 });
    // Per Monday week: 2-8 March five deployments; 9-15 March api-5 and api-x's failed attempt; 16-22 March none.
    expect(rows(results, 'series_week').map((item) => [String(item.time).slice(0, 10), item.deployments, item.deploy_failures])).toEqual([
      ['2026-03-02', 5, 0],
      ['2026-03-09', 1, 1],
      ['2026-03-16', 0, 0],
    ]);
  });

  it('drill-down: environment "prod" alone, team storefront alone, and All', async () => {
    const prod = await preview('dora-drill-down.json', { ...threeWeeks, selection: { environment: ['prod'] } });
    // Only api-5 ran in "prod": one deployment, not failed, shipping p2 (7200 s); api-x failed in "production".
    expect(row(prod, 'deployment_frequency')).toMatchObject({ deployments: 1, deploy_days: 1, deploy_failures: 0, tier: null });
    expect(row(prod, 'lead_time')).toEqual({ changes: 1, median_seconds: 7200, p90_seconds: 7200, tier: null });
    expect(row(prod, 'change_failure_rate')).toEqual({ failed: 0, deployments: 1, rate: 0, tier: null });
    const storefront = await preview('dora-drill-down.json', { ...threeWeeks, selection: { team: ['storefront'] } });
    // web: web-1 and web-2, nothing shipped that the store knows, W-1 open and W-2 invalid.
    expect(row(storefront, 'deployment_frequency')).toMatchObject({ deployments: 2, deploy_days: 2, deploy_failures: 0 });
    expect(row(storefront, 'lead_time')).toEqual({ changes: 0, median_seconds: null, p90_seconds: null, tier: null });
    expect(row(storefront, 'time_to_restore')).toEqual({ incidents: 2, resolved: 0, open: 1, invalid: 1, median_seconds: null, p90_seconds: null, tier: null });
    expect(rows(storefront, 'services').map((item) => item.service)).toEqual(['web']);
    const all = await preview('dora-drill-down.json', threeWeeks);
    expect(rows(all, 'services').map((item) => [item.service, item.team, item['deployment_frequency.deployments'], item['change_failure_rate.rate']])).toEqual([
      ['api', 'core', 4, 1 / 4],
      ['web', 'storefront', 2, 0],
    ]);
    // Deployments per Grafana interval (one day): the six deployments, on the days they fell.
    const timeline = rows(all, 'timeline').filter((item) => Number(item.deployments) > 0);
    expect(timeline.map((item) => [String(item.time).slice(0, 10), item.deployments, item.per_day])).toEqual([
      ['2026-03-02', 1, 1], ['2026-03-03', 2, 2], ['2026-03-04', 1, 1], ['2026-03-05', 1, 1], ['2026-03-10', 1, 1],
    ]);
  });
});

describe('the debug view says what was left out and why', () => {
  it('deployment events by environment and status, unplaced commits, incidents not used', async () => {
    const results = await preview('dora-debug.json', threeWeeks);
    const treatment = rows(results, 'treatment').map((item) => [item.environment, item.status, item.deployments, item.treatment]);
    expect(treatment.sort()).toEqual([
      ['prod', 'success', 1, 'counted: production deployment'],
      ['production', 'cancelled', 1, 'ignored: status cancelled, never finished successfully'],
      ['production', 'failure', 1, 'deploy failure: never went live, counted apart'],
      ['production', 'success', 5, 'counted: production deployment'],
      ['staging', 'success', 1, 'ignored: not a production environment (production set: production, prod)'],
    ]);
    // web's commits are in no repository the store knows; api's history is placed (its baseline is in February).
    expect(rows(results, 'unplaced').map((item) => [item.id, String(item.why).startsWith('commit ')])).toEqual([['web-2', true], ['web-1', true]]);
    expect(rows(results, 'incidents_left_out').map((item) => [item.id, item.time_to_restore, item.link_method])).toEqual([
      ['W-2', 'invalid: resolved at or before it opened; never used', 'none'],
      ['W-1', 'open: counted apart, not in the median', 'none'],
    ]);
    expect(row(results, 'store')).toEqual({ commits: 5, pull_requests: 1, deployments: 10, incidents: 3 });
  });
});

describe("the catalog's teams as the agent writes them", () => {
  it('follow the config on refresh and on every derivation: a changed team, a dropped and a returning service; unchanged means no write', async () => {
    const teams = async () => {
      const store = await openStore({ home });
      try {
        return await queryRows(store.client, 'SELECT service, team FROM current_service_teams ORDER BY service');
      } finally {
        await store.close();
      }
    };
    expect(await teams()).toEqual([{ service: 'api', team: 'core' }, { service: 'web', team: 'storefront' }]);
    expect((await dora('dashboards', 'refresh', '--format', 'json')).json().teams).toEqual({ written: false, services: 2 });
    writeConfig({ api: { repos: ['acme/api'], team: 'platform' } });
    expect((await dora('dashboards', 'refresh', '--format', 'json')).json().teams).toEqual({ written: true, services: 1 });
    expect(await teams()).toEqual([{ service: 'api', team: 'platform' }]);
    // Every derivation keeps them in step too: dora report after a catalog change.
    writeConfig({ api: { repos: ['acme/api'], team: 'platform' }, web: { team: 'storefront' } });
    expect((await dora('report', '--since', '2026-03-02', '--until', '2026-03-23', '--format', 'json')).code).toBe(0);
    expect(await teams()).toEqual([{ service: 'api', team: 'platform' }, { service: 'web', team: 'storefront' }]);
    expect((await dora('dashboards', 'refresh', '--format', 'json')).json().teams).toEqual({ written: false, services: 2 });
    const platform = await preview('dora-drill-down.json', { ...threeWeeks, selection: { team: ['platform'] } });
    expect(row(platform, 'deployment_frequency')).toMatchObject({ deployments: 4 });
  });
});

describe('tiers in SQL are the report\'s tiers', () => {
  const benchmarks: Benchmark[] = ['2023', '2021'];
  const { durationBands, failureBands } = reportTiers.benchmarkBands;
  const around = (bounds: number[], step: number) => [0, ...bounds.flatMap((bound) => [bound - step, bound, bound + step])];

  async function sqlTiers(benchmark: Benchmark, columns: string, cases: (number | null)[][], expression: string): Promise<(string | null)[]> {
    const tuples = cases.map((item) => `(${item.map((value) => (value === null ? 'NULL' : `toFloat64(${value})`)).join(', ')})`).join(', ');
    const names = columns.split(',').map((name) => name.trim());
    const select = names.map((name, index) => `toNullable(tupleElement(c, ${index + 1})) AS ${name}`).join(', ');
    const store = await openStore({ home });
    try {
      const result = await queryRows<{ tier: string | null }>(
        store.client,
        `WITH '${benchmark}' AS benchmark SELECT ${expression} AS tier FROM (SELECT ${select} FROM (SELECT arrayJoin([${tuples}]) AS c))`,
      );
      return result.map((item) => item.tier);
    } finally {
      await store.close();
    }
  }

  it.each(benchmarks)('benchmark %s: lead time, restore and change failure rate bands, and the minimum sample', async (benchmark) => {
    const leadCases = [...around(durationBands[benchmark].leadTime, 1), null].flatMap((median) => [4, 5].map((n) => [median, n]));
    expect(await sqlTiers(benchmark, 'median, n', leadCases, leadTimeTier('median', 'n'))).toEqual(
      leadCases.map(([median, n]) => reportTiers.leadTimeTier(benchmark, median as number | null, n as number)),
    );
    const restoreCases = [...around(durationBands[benchmark].restore, 1), null].flatMap((median) => [4, 5].map((n) => [median, n]));
    expect(await sqlTiers(benchmark, 'median, n', restoreCases, restoreTier('median', 'n'))).toEqual(
      restoreCases.map(([median, n]) => reportTiers.restoreTier(benchmark, median as number | null, n as number)),
    );
    const rateCases = [...around(failureBands[benchmark], 0.001), 1, null].flatMap((rate) => [4, 5, 6].map((n) => [rate, n]));
    expect(await sqlTiers(benchmark, 'rate, n', rateCases, failureRateTier('rate', 'n'))).toEqual(
      rateCases.map(([rate, n]) => reportTiers.failureRateTier(benchmark, rate as number | null, n as number)),
    );
  });

  it.each(benchmarks)('benchmark %s: deployment frequency from deployment days', async (benchmark) => {
    const cases: number[][] = [];
    for (const deployments of [4, 5, 40]) {
      for (const weekMedian of [0, 0.5, 1, 4.5, 5, 6]) {
        for (const monthMedian of [0, 0.5, 1, 3]) {
          // One deployment day per half year is the 2021 medium line: 1 / 182.5 days.
          for (const [deployDays, days] of [[0, 90], [1, 182.5], [1, 183], [2, 90]] as const) cases.push([deployments, weekMedian, monthMedian, deployDays, days]);
        }
      }
    }
    const expression = frequencyTier({ deployments: 'deployments', weekMedian: 'week_median', monthMedian: 'month_median', deployDays: 'deploy_days', days: 'days' });
    expect(await sqlTiers(benchmark, 'deployments, week_median, month_median, deploy_days, days', cases, expression)).toEqual(
      cases.map(([deployments, weekMedian, monthMedian, deployDays, days]) =>
        reportTiers.frequencyTier(benchmark, { deployments: deployments!, weekMedian: weekMedian!, monthMedian: monthMedian!, deployDays: deployDays!, days: days! }),
      ),
    );
  });
});
