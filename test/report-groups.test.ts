import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { buildReport, type Report } from '../src/reports/index.js';
import { commit, deployment, incident, load, type Raw } from './fixtures/report/events.js';
import { tempStore } from './helpers/store.js';

// Teams, a service without a team, a service with data in the previous window only, daily
// buckets across a DST change in Europe/Berlin (UTC+1 until 2026-03-29 02:00, then UTC+2),
// and monthly buckets. Every figure is added up by hand from the events below.
//
// The window: 14 calendar days in Berlin, [2026-03-23 00:00 +01:00, 2026-04-06 00:00 +02:00).
// The previous window: [2026-03-09 00:00 +01:00, 2026-03-23 00:00 +01:00).
const since = new Date('2026-03-22T23:00:00Z');
const until = new Date('2026-04-05T22:00:00Z');
const tz = 'Europe/Berlin';

const config = Config.parse({
  services: {
    api: { repos: ['acme/api'], team: 'core' },
    web: { team: 'core' },
    billing: { team: 'money' },
    legacy: { team: 'money' },
  },
});

const api = 'acme/api';
const events: Raw[] = [
  // api: a baseline in February, then three lone commits, each shipped by its own deployment.
  commit(api, 'b0', [], '2026-02-01T09:00:00Z'),
  deployment('api-0', 'api', '2026-02-20T10:00:00Z', { repo: api, commit: 'b0' }),
  commit(api, 'c1', ['b0'], '2026-03-22T20:00:00Z'),
  // 00:30 in Berlin on Monday 23 March (still 22 March in UTC): lead 3.5 h.
  deployment('api-1', 'api', '2026-03-22T23:30:00Z', { repo: api, commit: 'c1' }),
  commit(api, 'c2', ['c1'], '2026-03-23T08:00:00Z'),
  deployment('api-2', 'api', '2026-03-23T09:00:00Z', { repo: api, commit: 'c2' }), // 10:00 in Berlin, lead 1 h
  commit(api, 'c3', ['c2'], '2026-03-29T21:30:00Z'),
  // 01:30 in Berlin on Monday 30 March (summer time, still 29 March in UTC): lead 2 h.
  deployment('api-3', 'api', '2026-03-29T23:30:00Z', { repo: api, commit: 'c3' }),

  // web: a deployment with an incident an hour later (failed), a failed attempt, the fix a week later.
  deployment('web-1', 'web', '2026-03-24T11:00:00Z'),
  incident('inc-web', 'web', '2026-03-24T13:00:00Z', { resolved: '2026-03-24T14:00:00Z' }),
  deployment('web-x', 'web', '2026-03-25T09:00:00Z', { status: 'failure' }),
  deployment('web-2', 'web', '2026-04-01T10:00:00Z'),

  // billing: 23:30 in Berlin on Sunday 5 April, the window's last day (21:30 UTC).
  deployment('billing-1', 'billing', '2026-04-05T21:30:00Z'),
  // ops: in no team.
  deployment('ops-1', 'ops', '2026-03-26T12:00:00Z'),
  // legacy: the previous window only, failed by its incident (2 h to restore).
  deployment('legacy-1', 'legacy', '2026-03-10T10:00:00Z'),
  incident('inc-legacy', 'legacy', '2026-03-10T18:00:00Z', { resolved: '2026-03-10T20:00:00Z' }),
];

let store: Awaited<ReturnType<typeof tempStore>>;
let daily: Report;

beforeAll(async () => {
  store = await tempStore();
  await load(store.client, events);
  daily = await buildReport(store.client, { since, until, tz, config });
});
afterAll(async () => store?.dispose());

const dates = (from: string, count: number) =>
  Array.from({ length: count }, (_, index) => new Date(Date.parse(`${from}T00:00:00Z`) + index * 86_400_000).toISOString().slice(0, 10));
/** A daily series of the window from the values of some of its dates. */
const byDay = (values: Record<string, number>) => dates('2026-03-23', 14).map((date) => values[date] ?? 0);

describe('a 14-day window in Berlin across the change to summer time', () => {
  it('buckets by local day and lists every service with anything in either window', () => {
    expect(daily.window.days).toEqual(14);
    expect(daily.previous.window).toEqual({ since: '2026-03-08T23:00:00.000Z', until: '2026-03-22T23:00:00.000Z', days: 14 });
    expect(daily.series.granularity).toEqual('day');
    expect(daily.series.buckets).toEqual(dates('2026-03-23', 14));
    expect(Object.keys(daily.services)).toEqual(['api', 'billing', 'legacy', 'ops', 'web']);
    expect(Object.keys(daily.teams)).toEqual(['core', 'money']);
    expect(Object.keys(daily.previous.services)).toEqual(['api', 'billing', 'legacy', 'ops', 'web']);
  });

  it('overall: 7 deployments on 6 local days, 3 in each Monday week, 4 in March and 2 in April', () => {
    // api 2 on 23 March (00:30 and 10:00 local), 1 on 30 March; web 24 March and 1 April; ops 26 March; billing 5 April.
    expect(daily.overall.deployment_frequency).toEqual({
      deployments: 7,
      per_day: 7 / 14,
      per_week: 7 / 2,
      deploy_days: 6,
      deploy_days_per_week_median: 3,
      deploy_days_per_month_median: 3,
      deploy_failures: 1,
      tier: 'high',
    });
    expect(daily.overall.change_failure_rate).toMatchObject({ failed: 1, deployments: 7, rate: 1 / 7 });
    expect(daily.series.overall.deployments).toEqual(byDay({ '2026-03-23': 2, '2026-03-24': 1, '2026-03-26': 1, '2026-03-30': 1, '2026-04-01': 1, '2026-04-05': 1 }));
    expect(daily.series.overall.deploy_days).toEqual(byDay({ '2026-03-23': 1, '2026-03-24': 1, '2026-03-26': 1, '2026-03-30': 1, '2026-04-01': 1, '2026-04-05': 1 }));
    expect(daily.series.overall.failed).toEqual(byDay({ '2026-03-24': 1 }));
  });

  it('team core (api, web): its members added up, weeks [2, 2], months [3, 1]', () => {
    const core = daily.teams.core!;
    expect(core.deployment_frequency).toMatchObject({ deployments: 5, deploy_days: 4, deploy_days_per_week_median: 2, deploy_days_per_month_median: 2, deploy_failures: 1 });
    expect(core.change_failure_rate).toMatchObject({ failed: 1, deployments: 5, rate: 0.2 });
    // api's three changes: 3.5 h, 1 h, 2 h. p90: 7200 + 0.8 × (12600 - 7200).
    expect(core.lead_time).toMatchObject({ changes: 3, median_seconds: 7200, p90_seconds: 11520 });
    expect(core.time_to_restore).toMatchObject({ incidents: 1, resolved: 1, median_seconds: 3600 });
    // web-1 failed at 24 March 11:00 UTC; web-2 (1 April 10:00 UTC) did not fail: 7 days 23 hours later.
    expect(core.recovery_time).toMatchObject({ failed: 1, recovered: 1, median_seconds: 7 * 86_400 + 23 * 3600 });
    expect(daily.series.teams.core!.deployments).toEqual(byDay({ '2026-03-23': 2, '2026-03-24': 1, '2026-03-30': 1, '2026-04-01': 1 }));
    // The two changes of 23 March (3.5 h and 1 h) and the one of 30 March.
    expect(daily.series.teams.core!.changes).toEqual(byDay({ '2026-03-23': 2, '2026-03-30': 1 }));
    expect(daily.series.teams.core!.lead_time_p50).toEqual(byDay({ '2026-03-23': 8100, '2026-03-30': 7200 }).map((value) => value || null));
    expect(daily.series.teams.core!.time_to_restore_median).toEqual(byDay({ '2026-03-24': 3600 }).map((value) => value || null));
  });

  it('team money: billing in this window (weeks [0, 1], months [0, 1]), legacy in the previous one', () => {
    const money = daily.teams.money!;
    expect(money.deployment_frequency).toMatchObject({ deployments: 1, deploy_days: 1, deploy_days_per_week_median: 0.5, deploy_days_per_month_median: 0.5 });
    expect(money.lead_time).toMatchObject({ changes: 0, median_seconds: null, p90_seconds: null });
    expect(daily.series.teams.money!.deployments).toEqual(byDay({ '2026-04-05': 1 }));
    const before = daily.previous.teams.money!;
    // The previous window's weeks start 9 and 16 March: [1, 0]; its one month (March): [1].
    expect(before.deployment_frequency).toMatchObject({ deployments: 1, deploy_days: 1, deploy_days_per_week_median: 0.5, deploy_days_per_month_median: 1 });
    expect(before.change_failure_rate).toMatchObject({ failed: 1, deployments: 1, rate: 1 });
    expect(before.time_to_restore).toMatchObject({ incidents: 1, resolved: 1, median_seconds: 7200 });
  });

  it('a service with nothing in one window gets zeros and nulls there, not a gap', () => {
    const legacy = daily.services.legacy!;
    expect(legacy.deployment_frequency).toMatchObject({ deployments: 0, deploy_days: 0, deploy_days_per_week_median: 0, deploy_days_per_month_median: 0, deploy_failures: 0, tier: null });
    expect(legacy.lead_time).toMatchObject({ changes: 0, median_seconds: null });
    expect(legacy.time_to_restore).toMatchObject({ incidents: 0, median_seconds: null });
    expect(daily.series.services.legacy!.deployments).toEqual(byDay({}));
    expect(daily.series.services.legacy!.lead_time_p50).toEqual(byDay({}).map(() => null));
    expect(daily.previous.services.legacy!.deployment_frequency).toMatchObject({ deployments: 1, deploy_days: 1 });
    expect(daily.previous.services.api!.deployment_frequency).toMatchObject({ deployments: 0, deploy_days: 0 });
  });

  it('a service in no team counts overall, in no team', () => {
    expect(daily.services.ops!.deployment_frequency).toMatchObject({ deployments: 1, deploy_days: 1, deploy_days_per_week_median: 0.5 });
    expect(daily.overall.deployment_frequency.deployments).toEqual(
      daily.teams.core!.deployment_frequency.deployments + daily.teams.money!.deployment_frequency.deployments + 1,
    );
  });

  it('the previous window covers every service: legacy, and api before its 00:30 deployment', () => {
    expect(daily.previous.overall.deployment_frequency).toMatchObject({ deployments: 1, deploy_days: 1, deploy_failures: 0 });
    expect(daily.previous.overall.lead_time.changes).toEqual(0);
  });

  it('--team narrows to its members, figures unchanged', async () => {
    const core = await buildReport(store.client, { since, until, tz, config, team: 'core' });
    expect(Object.keys(core.services)).toEqual(['api', 'web']);
    expect(Object.keys(core.teams)).toEqual(['core']);
    expect(core.teams.core).toEqual(daily.teams.core);
    expect(core.overall).toEqual(daily.teams.core);
    expect(core.series.teams.core).toEqual(daily.series.teams.core);
  });
});

describe('monthly buckets over a window longer than two years', () => {
  it('adds up each month of the window, the empty ones included', async () => {
    // [2024-03-01, 2026-04-06) in Berlin: 766 days, 26 months.
    const monthly = await buildReport(store.client, { since: new Date('2024-02-29T23:00:00Z'), until, tz, config });
    expect(monthly.series.granularity).toEqual('month');
    expect(monthly.series.buckets).toHaveLength(26);
    expect(monthly.series.buckets.slice(-3)).toEqual(['2026-02-01', '2026-03-01', '2026-04-01']);
    // February: api-0. March: api ×3 (two on the 23rd), legacy, web, ops. April: web, billing.
    expect(monthly.series.overall.deployments.slice(-4)).toEqual([0, 1, 6, 2]);
    expect(monthly.series.overall.deploy_days.slice(-4)).toEqual([0, 1, 5, 2]);
    expect(monthly.series.teams.money!.deployments.slice(-3)).toEqual([0, 1, 1]);
    expect(monthly.overall.deployment_frequency).toMatchObject({ deployments: 9, deploy_days: 8, deploy_days_per_week_median: 0, deploy_days_per_month_median: 0 });
    expect(monthly.teams.core!.lead_time).toMatchObject({ changes: 3, median_seconds: 7200 });
  });
});

describe('weekly buckets over four Monday weeks', () => {
  it('adds up each week, and lists a service asked for by name with nothing in either window', async () => {
    // [2026-03-09, 2026-04-06) in Berlin: 28 days, weeks starting 9, 16, 23 and 30 March.
    const weekly = await buildReport(store.client, { since: new Date('2026-03-08T23:00:00Z'), until, tz, config, services: ['api', 'web', 'billing', 'legacy', 'ops', 'ghost'] });
    expect(weekly.series.granularity).toEqual('week');
    expect(weekly.series.buckets).toEqual(['2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']);
    // legacy on 10 March; api ×2, web, ops in the week of 23 March; api, web, billing in the week of 30 March.
    expect(weekly.series.overall.deployments).toEqual([1, 0, 4, 3]);
    expect(weekly.series.overall.deploy_days).toEqual([1, 0, 3, 3]);
    expect(weekly.series.overall.change_failure_rate).toEqual([1, null, 0.25, 0]);
    expect(weekly.series.teams.money!.deployments).toEqual([1, 0, 0, 1]);
    expect(weekly.series.teams.core!.changes).toEqual([0, 0, 2, 1]);
    expect(weekly.series.teams.core!.lead_time_p50).toEqual([null, null, 8100, 7200]);
    // Weeks [1, 0, 3, 3]: median 2. March (from the 9th) 5 days, April 2: median 3.5.
    expect(weekly.overall.deployment_frequency).toMatchObject({ deployments: 8, deploy_days: 7, deploy_days_per_week_median: 2, deploy_days_per_month_median: 3.5 });
    // The previous 28 days hold api's baseline (20 February).
    expect(weekly.previous.overall.deployment_frequency).toMatchObject({ deployments: 1, deploy_days: 1 });
    expect(Object.keys(weekly.services)).toEqual(['api', 'billing', 'ghost', 'legacy', 'ops', 'web']);
    expect(weekly.services.ghost!.deployment_frequency).toMatchObject({ deployments: 0, deploy_days: 0, deploy_days_per_week_median: 0 });
    expect(weekly.series.services.ghost!.deployments).toEqual([0, 0, 0, 0]);
    expect(weekly.series.services.ghost!.lead_time_p50).toEqual([null, null, null, null]);
  });
});
