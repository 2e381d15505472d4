import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { buildReport, type Report } from '../src/reports/index.js';
import { commit, deployment, incident, line, load, pullRequest, sha, type Raw } from './fixtures/report/events.js';
import { queryRows, tempStore } from './helpers/store.js';

// Hand-built cases of issue 3, each its own service and repository in one store.
// The window is March 2026, first week: [2026-03-01, 2026-03-08) UTC unless a case says otherwise.
const since = new Date('2026-03-01T00:00:00Z');
const until = new Date('2026-03-08T00:00:00Z');
const H = 3600;

let store: Awaited<ReturnType<typeof tempStore>>;
const config = Config.parse({});
const report = (service: string, extra: Partial<Parameters<typeof buildReport>[1]> = {}): Promise<Report> =>
  buildReport(store.client, { since, until, config, services: [service], ...extra });

/** A service whose first deployment (the baseline) went out in February at `b0`. */
function baseline(service: string): Raw[] {
  const repo = `acme/${service}`;
  return [
    commit(repo, 'b0', [], '2026-02-01T09:00:00Z'),
    deployment(`${service}-0`, service, '2026-02-20T10:00:00Z', { repo, commit: 'b0' }),
  ];
}

const events: Raw[] = [
  // Squash merge: the branch commits f1, f2 are not on main; main gets one squash commit s1.
  ...baseline('squash'),
  commit('acme/squash', 'f1', ['b0'], '2026-03-02T09:00:00Z'),
  commit('acme/squash', 'f2', ['f1'], '2026-03-02T15:00:00Z'),
  commit('acme/squash', 's1', ['b0'], '2026-03-03T12:00:00Z'),
  pullRequest('acme/squash', 1, { created: '2026-03-02T16:00:00Z', review: '2026-03-03T10:00:00Z', merged: '2026-03-03T12:00:00Z', merge: 's1', commits: ['f1', 'f2'] }),
  deployment('squash-1', 'squash', '2026-03-03T14:00:00Z', { repo: 'acme/squash', commit: 's1' }),

  // Merge commit: m1 merges the branch c1 → c2 into main.
  ...baseline('merge'),
  commit('acme/merge', 'c1', ['b0'], '2026-03-02T10:00:00Z'),
  commit('acme/merge', 'c2', ['c1'], '2026-03-02T11:00:00Z'),
  commit('acme/merge', 'm1', ['b0', 'c2'], '2026-03-03T09:00:00Z'),
  pullRequest('acme/merge', 7, { created: '2026-03-02T12:00:00Z', review: '2026-03-02T13:00:00Z', merged: '2026-03-03T09:00:00Z', merge: 'm1', commits: ['c1', 'c2'] }),
  deployment('merge-1', 'merge', '2026-03-03T10:00:00Z', { repo: 'acme/merge', commit: 'm1' }),

  // Rebase merge: r1, r2 rewritten onto main as r1', r2' (same author and author time, new SHAs).
  ...baseline('rebase'),
  commit('acme/rebase', 'r1', ['b0'], '2026-03-02T08:00:00Z'),
  commit('acme/rebase', 'r2', ['r1'], '2026-03-02T09:00:00Z'),
  commit('acme/rebase', "r1'", ['b0'], '2026-03-02T08:00:00Z'),
  commit('acme/rebase', "r2'", ["r1'"], '2026-03-02T09:00:00Z'),
  pullRequest('acme/rebase', 3, { created: '2026-03-02T10:00:00Z', merged: '2026-03-02T12:00:00Z', merge: "r2'", commits: ['r1', 'r2'] }),
  deployment('rebase-1', 'rebase', '2026-03-02T14:00:00Z', { repo: 'acme/rebase', commit: "r2'" }),

  // A PR whose commit was amended after the PR was opened: its coding stage would be negative.
  ...baseline('amend'),
  commit('acme/amend', 'x1', ['b0'], '2026-03-02T12:00:00Z'),
  pullRequest('acme/amend', 4, { created: '2026-03-02T10:00:00Z', review: '2026-03-02T13:00:00Z', merged: '2026-03-02T14:00:00Z', merge: 'x1', commits: ['x1'] }),
  deployment('amend-1', 'amend', '2026-03-02T15:00:00Z', { repo: 'acme/amend', commit: 'x1' }),

  // Direct pushes: two commits of their own, deployed together.
  ...baseline('push'),
  ...line('acme/push', ['p1', 'p2'], 'b0', '2026-03-02T08:00:00Z'),
  deployment('push-1', 'push', '2026-03-02T12:00:00Z', { repo: 'acme/push', commit: 'p2' }),

  // Rollback inferred from the graph: rb-3 deploys c1, a strict ancestor of rb-2's c2.
  ...baseline('rb'),
  ...line('acme/rb', ['c1', 'c2', 'c3'], 'b0', '2026-03-01T08:00:00Z', 24),
  deployment('rb-1', 'rb', '2026-03-02T10:00:00Z', { repo: 'acme/rb', commit: 'c1' }),
  deployment('rb-2', 'rb', '2026-03-03T10:00:00Z', { repo: 'acme/rb', commit: 'c2' }),
  deployment('rb-3', 'rb', '2026-03-03T11:00:00Z', { repo: 'acme/rb', commit: 'c1' }),
  deployment('rb-4', 'rb', '2026-03-04T10:00:00Z', { repo: 'acme/rb', commit: 'c3' }),

  // Rollback from the source (Heroku's "Rollback to vN"): rbx-3 says it rolls back rbx-2.
  ...baseline('rbx'),
  ...line('acme/rbx', ['c1', 'c2', 'c3'], 'b0', '2026-03-01T08:00:00Z', 24),
  deployment('rbx-1', 'rbx', '2026-03-02T10:00:00Z', { repo: 'acme/rbx', commit: 'c1' }),
  deployment('rbx-2', 'rbx', '2026-03-03T10:00:00Z', { repo: 'acme/rbx', commit: 'c2' }),
  deployment('rbx-3', 'rbx', '2026-03-03T10:30:00Z', { repo: 'acme/rbx', commit: 'c1', rollbackOf: 'rbx-2' }),
  deployment('rbx-4', 'rbx', '2026-03-04T10:00:00Z', { repo: 'acme/rbx', commit: 'c3' }),

  // An incident naming its deployment explicitly, two days after it (beyond the 24 h window).
  deployment('link-1', 'link', '2026-03-02T10:00:00Z'),
  deployment('link-2', 'link', '2026-03-03T10:00:00Z'),
  incident('INC-L', 'link', '2026-03-05T10:00:00Z', { resolved: '2026-03-05T11:00:00Z', deployment: 'link-1' }),

  // An incident 30 h after the last deployment: not attributed.
  deployment('late-1', 'late', '2026-03-02T10:00:00Z'),
  incident('INC-30H', 'late', '2026-03-03T16:00:00Z', { resolved: '2026-03-03T17:00:00Z' }),

  // Two incidents on one deployment.
  deployment('two-1', 'two', '2026-03-02T10:00:00Z'),
  deployment('two-2', 'two', '2026-03-03T10:00:00Z'),
  deployment('two-3', 'two', '2026-03-04T10:00:00Z'),
  deployment('two-4', 'two', '2026-03-05T10:00:00Z'),
  incident('INC-A', 'two', '2026-03-03T11:00:00Z', { resolved: '2026-03-03T11:30:00Z' }),
  incident('INC-B', 'two', '2026-03-03T12:00:00Z', { resolved: '2026-03-03T13:00:00Z' }),

  // A year of history before the first deployment: 365 daily commits, then one new commit.
  ...line('acme/year', Array.from({ length: 365 }, (_, day) => `y${day}`), null, '2025-03-01T09:00:00Z', 24),
  deployment('year-1', 'year', '2026-03-02T10:00:00Z', { repo: 'acme/year', commit: 'y364' }),
  commit('acme/year', 'n1', ['y364'], '2026-03-03T10:00:00Z'),
  deployment('year-2', 'year', '2026-03-04T10:00:00Z', { repo: 'acme/year', commit: 'n1' }),

  // A failed attempt never went live; a staging deployment is not production.
  ...baseline('attempt'),
  ...line('acme/attempt', ['a1', 'a2'], 'b0', '2026-03-01T09:00:00Z', 24),
  deployment('attempt-1', 'attempt', '2026-03-02T10:00:00Z', { repo: 'acme/attempt', commit: 'a1' }),
  deployment('attempt-2', 'attempt', '2026-03-03T10:00:00Z', { repo: 'acme/attempt', commit: 'a2', status: 'failure' }),
  deployment('attempt-3', 'attempt', '2026-03-03T11:00:00Z', { repo: 'acme/attempt', commit: 'a2' }),
  deployment('attempt-s', 'attempt', '2026-03-03T09:00:00Z', { repo: 'acme/attempt', commit: 'a2', environment: 'staging' }),

  // Window edges: [since, until) includes since and excludes until.
  deployment('edge-before', 'edge', '2026-02-28T23:59:59.999Z'),
  deployment('edge-since', 'edge', '2026-03-01T00:00:00Z'),
  deployment('edge-last', 'edge', '2026-03-07T23:59:59.999Z'),
  deployment('edge-until', 'edge', '2026-03-08T00:00:00Z'),
  incident('INC-EDGE-IN', 'edge', '2026-03-01T00:00:00Z', { resolved: '2026-03-01T00:10:00Z' }),
  incident('INC-EDGE-OUT', 'edge', '2026-03-08T00:00:00Z', { resolved: '2026-03-08T00:10:00Z' }),

  // Unresolved and invalid incidents.
  incident('U1', 'inc', '2026-03-02T10:00:00Z', { resolved: '2026-03-02T10:45:00Z' }),
  incident('U2', 'inc', '2026-03-03T10:00:00Z'),
  incident('U3', 'inc', '2026-03-04T10:00:00Z', { resolved: '2026-03-04T10:00:00Z' }),
  incident('U4', 'inc', '2026-03-05T10:00:00Z', { resolved: '2026-03-05T09:00:00Z' }),
  incident('U5', 'inc', '2026-03-06T10:00:00Z', { resolved: '2026-03-06T10:15:00Z' }),
  deployment('inc-1', 'inc', '2026-03-01T10:00:00Z'),
  deployment('inc-2', 'inc', '2026-03-03T12:00:00Z'),

  // Sunday 23:30 in Los Angeles is Monday 07:30 UTC.
  deployment('la-1', 'la', '2026-03-01T23:30:00-08:00'),
];

beforeAll(async () => {
  store = await tempStore();
  await load(store.client, events);
});
afterAll(async () => store?.dispose());

describe('lead time survives squash, merge and rebase merges, and counts direct pushes', () => {
  it('squash merge: one PR change from its first commit, with its stages', async () => {
    const { lead_time } = (await report('squash')).services.squash!;
    // Shipped 03-03 14:00, first commit f1 03-02 09:00: 29 h. The squash commit s1 is the PR, not a change of its own.
    expect(lead_time.changes).toEqual(1);
    expect(lead_time.median_seconds).toEqual(29 * H);
    // coding f1 09:00 → created 16:00 = 7 h; pickup → review 03-03 10:00 = 18 h; review → merged 12:00 = 2 h; deploy → 14:00 = 2 h.
    expect(lead_time.breakdown).toEqual({
      pull_requests: 1,
      coding: { n: 1, median_seconds: 7 * H },
      pickup: { n: 1, median_seconds: 18 * H },
      review: { n: 1, median_seconds: 2 * H },
      deploy: { n: 1, median_seconds: 2 * H },
      clamped_stages: 0,
    });
    // The stages add up to the lead time: 7 + 18 + 2 + 2 = 29 h.
  });

  it('merge commit: the branch commits and the merge are one change', async () => {
    const { lead_time } = (await report('merge')).services.merge!;
    // Shipped 03-03 10:00, first commit c1 03-02 10:00: 24 h.
    expect(lead_time.changes).toEqual(1);
    expect(lead_time.median_seconds).toEqual(24 * H);
    const [change] = await queryRows<{ commits: number; change_key: string }>(
      store.client,
      `SELECT commits, change_key FROM current_changes WHERE service = 'merge'`,
    );
    expect(change).toEqual({ commits: 3, change_key: 'pr:acme/merge#7' });
  });

  it('rebase merge: rewritten commits are matched to their PR by author and author time', async () => {
    const { lead_time } = (await report('rebase')).services.rebase!;
    // One change, from r1's author time 03-02 08:00 to 14:00: 6 h. No review: pickup and review unknown, not 0.
    expect(lead_time.changes).toEqual(1);
    expect(lead_time.median_seconds).toEqual(6 * H);
    expect(lead_time.breakdown.pickup).toEqual({ n: 0, median_seconds: null });
    expect(lead_time.breakdown.coding).toEqual({ n: 1, median_seconds: 2 * H });
  });

  it('a stage that would be negative is held at 0 and counted', async () => {
    const { lead_time } = (await report('amend')).services.amend!;
    // Start = x1's author time 12:00, after the PR opened at 10:00: coding 0 (clamped). From 12:00: pickup to the
    // review at 13:00 = 1 h, review to the merge at 14:00 = 1 h, deploy to 15:00 = 1 h; 0 + 1 + 1 + 1 = 3 h = the lead time.
    expect(lead_time.median_seconds).toEqual(3 * H);
    expect(lead_time.breakdown).toEqual({
      pull_requests: 1,
      coding: { n: 1, median_seconds: 0 },
      pickup: { n: 1, median_seconds: 1 * H },
      review: { n: 1, median_seconds: 1 * H },
      deploy: { n: 1, median_seconds: 1 * H },
      clamped_stages: 1,
    });
  });

  it('direct push: each commit is a change of its own', async () => {
    const { lead_time } = (await report('push')).services.push!;
    // p1 08:00 and p2 09:00 shipped at 12:00: 4 h and 3 h. Median (3 + 4) / 2 = 3.5 h; p90 = 3 h + 0.9 × 1 h = 3.9 h.
    expect(lead_time.changes).toEqual(2);
    expect(lead_time.median_seconds).toEqual(3.5 * H);
    expect(lead_time.p90_seconds).toEqual(3.9 * H);
    expect(lead_time.breakdown.pull_requests).toEqual(0);
  });

  it('first deployment shipping a year of history is the baseline, and only later changes count', async () => {
    const { lead_time, deployment_frequency } = (await report('year')).services.year!;
    // year-1 shipped 365 commits of history: excluded. year-2 shipped n1: 03-03 10:00 → 03-04 10:00 = 24 h.
    expect(deployment_frequency.deployments).toEqual(2);
    expect(lead_time.changes).toEqual(1);
    expect(lead_time.median_seconds).toEqual(24 * H);
    const rows = await queryRows<{ id: string; baseline: number; commits: number }>(
      store.client,
      `SELECT id, baseline, commits FROM current_deployments WHERE service = 'year' ORDER BY finished_at`,
    );
    expect(rows).toEqual([
      { id: 'year-1', baseline: 1, commits: 365 },
      { id: 'year-2', baseline: 0, commits: 1 },
    ]);
  });
});

describe('change failure rate, recovery and rework', () => {
  it.each([
    // service, rollback method, recovery: rb-3 at 11:00 − rb-2 at 10:00 = 1 h; rbx-3 at 10:30 − rbx-2 at 10:00 = 30 min.
    ['rb', 'inferred', 1 * H],
    ['rbx', 'explicit', 0.5 * H],
  ])('rollback (%s, %s): the rolled-back deployment failed, the rollback is rework', async (service, method, recovery) => {
    const metrics = (await report(service)).services[service]!;
    // Four production deployments in the window (the baseline went out in February); one failed: 1/4.
    expect(metrics.change_failure_rate).toEqual({ failed: 1, deployments: 4, rate: 1 / 4, tier: null });
    expect(metrics.recovery_time).toEqual({ failed: 1, recovered: 1, median_seconds: recovery, tier: null });
    expect(metrics.rework_rate).toEqual({ deployments: 4, rework: 1, rate: 1 / 4 });
    // c1, c2, c3 are three changes; the rollback shipped nothing new.
    expect(metrics.lead_time.changes).toEqual(3);
    const rows = await queryRows(
      store.client,
      `SELECT id, failed, rolled_back_by, rollback_method, is_rollback, rollback_of FROM current_deployments
       WHERE service = {service:String} AND (failed = 1 OR is_rollback = 1) ORDER BY finished_at`,
      { service },
    );
    expect(rows).toEqual([
      { id: `${service}-2`, failed: 1, rolled_back_by: `${service}-3`, rollback_method: method, is_rollback: 0, rollback_of: '' },
      { id: `${service}-3`, failed: 0, rolled_back_by: '', rollback_method: method, is_rollback: 1, rollback_of: `${service}-2` },
    ]);
  });

  it('an incident naming its deployment is attributed to it, however long after', async () => {
    const metrics = (await report('link')).services.link!;
    // link-1 failed (named), link-2 did not: 1/2.
    expect(metrics.change_failure_rate).toEqual({ failed: 1, deployments: 2, rate: 1 / 2, tier: null });
    const [row] = await queryRows(store.client, `SELECT deployment_id, link_method FROM current_incidents WHERE id = 'INC-L'`);
    expect(row).toEqual({ deployment_id: 'link-1', link_method: 'explicit' });
  });

  it('an incident 30 h after the last deployment is not attributed, but still counts for time to restore', async () => {
    const metrics = (await report('late')).services.late!;
    expect(metrics.change_failure_rate).toEqual({ failed: 0, deployments: 1, rate: 0, tier: null });
    // Resolved 1 h after it opened.
    expect(metrics.time_to_restore).toMatchObject({ incidents: 1, resolved: 1, median_seconds: 1 * H });
    const [row] = await queryRows<{ link_method: string; link_reason: string }>(
      store.client,
      `SELECT link_method, link_reason FROM current_incidents WHERE id = 'INC-30H'`,
    );
    expect(row).toEqual({
      link_method: 'none',
      link_reason: 'not attributed: the latest production deployment of late, late-1, finished 30 h before it opened (window 24 h)',
    });
  });

  it('two incidents on one deployment count it once', async () => {
    const metrics = (await report('two')).services.two!;
    // INC-A and INC-B both opened after two-2 (1 h and 2 h): one failed deployment of four, 1/4, not 2/4.
    expect(metrics.change_failure_rate).toEqual({ failed: 1, deployments: 4, rate: 1 / 4, tier: null });
    const [row] = await queryRows(store.client, `SELECT incidents FROM current_deployments WHERE id = 'two-2'`);
    expect(row).toEqual({ incidents: ['INC-A', 'INC-B'] });
    // Both resolved: 30 min and 1 h; median 45 min.
    expect(metrics.time_to_restore.median_seconds).toEqual(0.75 * H);
  });

  it('a failed attempt is a deploy failure, not a deployment, and staging is not production', async () => {
    const metrics = (await report('attempt')).services.attempt!;
    expect(metrics.deployment_frequency).toMatchObject({ deployments: 2, deploy_failures: 1, deploy_days: 2 });
    expect(metrics.change_failure_rate).toEqual({ failed: 0, deployments: 2, rate: 0, tier: null });
  });
});

describe('time to restore and window edges', () => {
  it('unresolved and invalid incidents are counted apart and never used', async () => {
    const metrics = (await report('inc')).services.inc!;
    // U1 45 min and U5 15 min are used: median (15 + 45) / 2 = 30 min; p90 = 15 + 0.9 × 30 = 42 min.
    expect(metrics.time_to_restore).toEqual({
      incidents: 5,
      resolved: 2,
      open: 1,
      invalid: 2,
      median_seconds: 30 * 60,
      p90_seconds: 42 * 60,
      tier: null,
    });
    // inc-2 finished while U2 was open (never resolved): rework. inc-1 finished before any incident.
    expect(metrics.rework_rate).toEqual({ deployments: 2, rework: 1, rate: 1 / 2 });
  });

  it('windows are half-open: since is in, until is out', async () => {
    const metrics = (await report('edge')).services.edge!;
    // edge-since (exactly since) and edge-last (1 ms before until) count; edge-before and edge-until do not.
    expect(metrics.deployment_frequency.deployments).toEqual(2);
    expect(metrics.time_to_restore.incidents).toEqual(1);
    // edge-before falls in the previous window [2026-02-22, 2026-03-01).
    const previous = (await report('edge')).previous;
    expect(previous.window).toEqual({ since: '2026-02-22T00:00:00.000Z', until: '2026-03-01T00:00:00.000Z', days: 7 });
    expect(previous.services.edge!.deployment_frequency.deployments).toEqual(1);
  });

  it('buckets a Sunday-night deploy in America/Los_Angeles into that Sunday and its week', async () => {
    // Three weeks in Los Angeles, across the DST change of 2026-03-08: still 21 calendar days.
    const window = { since: new Date('2026-02-16T08:00:00Z'), until: new Date('2026-03-09T07:00:00Z') };
    const la = await report('la', { ...window, tz: 'America/Los_Angeles' });
    expect(la.window.days).toEqual(21);
    expect(la.series.granularity).toEqual('week');
    expect(la.series.buckets).toEqual(['2026-02-16', '2026-02-23', '2026-03-02']);
    expect(la.series.services.la!.deployments).toEqual([0, 1, 0]);
    // In UTC the same deployment is on Monday 2026-03-02: the third week.
    const utc = await report('la', { since: new Date('2026-02-16T00:00:00Z'), until: new Date('2026-03-09T00:00:00Z') });
    expect(utc.series.services.la!.deployments).toEqual([0, 0, 1]);
  });
});

describe('deployment frequency figures', () => {
  it('counts days, weeks (Monday) and months, empty weeks included', async () => {
    const { deployment_frequency } = (await report('two')).services.two!;
    // Four deployments on 4 days (Mon 2 – Thu 5 March) in a 7-day window from Sunday 1 March.
    // Weeks: Mon 23 Feb (only Sun 1 March in the window: 0 days) and Mon 2 March (4 days): median (0 + 4) / 2 = 2.
    // One month, March: 4 deployment days.
    expect(deployment_frequency).toEqual({
      deployments: 4,
      per_day: 4 / 7,
      per_week: 4,
      deploy_days: 4,
      deploy_days_per_week_median: 2,
      deploy_days_per_month_median: 4,
      deploy_failures: 0,
      tier: null,
    });
  });

  it('no data is null, never 0', async () => {
    const metrics = (await report('late')).services.late!;
    expect(metrics.lead_time.median_seconds).toBeNull();
    expect(metrics.recovery_time).toEqual({ failed: 0, recovered: 0, median_seconds: null, tier: null });
    expect(sha('acme/late', 'x')).toHaveLength(40);
  });
});
