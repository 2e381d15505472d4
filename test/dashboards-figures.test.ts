import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDashboards } from '../src/dashboards/boards/index.js';
import type { GrafanaDashboard } from '../src/dashboards/grafana.js';
import { previewDashboard, type PanelResult, type PreviewOptions } from '../src/dashboards/preview.js';
import { generateDemo } from '../src/demo/generate.js';
import { demoConfig } from '../src/demo/organisation.js';
import type { DeploymentEvent } from '../src/events/schemas.js';
import { zonedToUtc } from '../src/reports/zone.js';
import { openStore } from '../src/store/connect.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

/**
 * The done-when test of issue 10: every dashboard JSON in dashboards/, every panel's SQL
 * expanded the way the ClickHouse plugin expands it for a fixed range, run on the embedded
 * engine over the seeded demo organisation; the stat panels, the trends and the services
 * table must show what `dora report --format json` says for the same range and selection.
 */

const tmp = tempDir('dora-dashboards-');
afterAll(() => tmp.remove());
const demoHome = join(tmp.dir, 'demo');
const home = join(demoHome, 'store');
const configPath = join(tmp.dir, 'dora.config.json');
const dora = (...args: string[]) => runCli(['--home', home, '--config', configPath, ...args]);

const repoRoot = new URL('..', import.meta.url).pathname;
const shipped: Record<string, GrafanaDashboard> = Object.fromEntries(
  Object.keys(allDashboards()).map((name) => [name, JSON.parse(readFileSync(join(repoRoot, 'dashboards', name), 'utf8')) as GrafanaDashboard]),
);
const overview = shipped['dora-overview.json'] as GrafanaDashboard;
const drillDown = shipped['dora-drill-down.json'] as GrafanaDashboard;

const DAY = 86_400_000;
const ALL = '$__all';

beforeAll(async () => {
  const demo = await runCli(['demo', '--seed', '3', '--home', demoHome, '--format', 'json']);
  expect(demo.code).toBe(0);
  // The demo's catalog (services with repos, apps and teams) as the agent's config.
  writeFileSync(configPath, JSON.stringify({ services: demoConfig().services }));
  const refreshed = await dora('dashboards', 'refresh', '--format', 'json');
  expect(refreshed.code).toBe(0);
  // dora demo derived with the same catalog, and every derivation writes its teams: nothing left to write.
  expect(refreshed.json().teams).toEqual({ written: false, services: 4 });
  // Release verdicts for the release health dashboard (stored by `dora releases`).
  expect((await dora('releases', '--since', '2025-10-01', '--format', 'json')).code).toBe(0);
});

async function report(args: string[]): Promise<any> {
  const result = await dora('report', '--format', 'json', ...args);
  expect(result.code, result.stderr).toBe(0);
  return result.json();
}

/** Run dashboards with the store open, and close it again for the next CLI call (one process owns the engine). */
async function preview(dashboard: GrafanaDashboard, options: PreviewOptions): Promise<PanelResult[]> {
  const store = await openStore({ home });
  try {
    return await previewDashboard(store.client, dashboard, options);
  } finally {
    await store.close();
  }
}

/** `{a: {b: 1}}` → `{a_b: 1}`: the report's nested figures under the stat panels' column names. */
function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) Object.assign(flat, flatten(item as Record<string, unknown>, `${prefix}${key}_`));
    else flat[`${prefix}${key}`] = item;
  }
  return flat;
}

const figureKeys = ['deployment_frequency', 'lead_time', 'change_failure_rate', 'time_to_restore', 'recovery_time', 'rework_rate'];

/** Each stat panel's row beside the report's figure of the same name (every column a report field). */
function expectStatsEqual(results: PanelResult[], metrics: Record<string, any>): number {
  let compared = 0;
  for (const result of results.filter((item) => item.type === 'stat' && (figureKeys.includes(item.refId) || item.refId === 'lead_time_breakdown'))) {
    expect(result.rows).toHaveLength(1);
    const expected = flatten(result.refId === 'lead_time_breakdown' ? metrics.lead_time.breakdown : metrics[result.refId]);
    const row = result.rows[0] as Record<string, unknown>;
    expect(Object.keys(row).filter((column) => !(column in expected)), result.panel).toEqual([]);
    // Every tile the panel shows is a column of its query.
    const panel = Object.values(shipped).flatMap((dashboard) => dashboard.panels).find((item) => item.title === result.panel && item.type === 'stat')!;
    const tiles = panel.fieldConfig.overrides.map((override) => String(override.matcher.options));
    expect(tiles.filter((tile) => !(tile in row)), result.panel).toEqual([]);
    expect(row, `${result.panel} (${result.refId})`).toEqual(Object.fromEntries(Object.keys(row).map((column) => [column, expected[column]])));
    compared++;
  }
  return compared;
}

/** Each trend column named like a report series, bucket by bucket (the bucket is the local date of `time`). */
function expectSeriesEqual(results: PanelResult[], report: any, series: any): number {
  let compared = 0;
  for (const result of results.filter((item) => item.type === 'timeseries' && item.refId.startsWith('series'))) {
    if (result.refId === 'series_week' && report.series.granularity !== 'week') continue;
    const buckets = result.rows.map((row) => String(row.time).slice(0, 10));
    if (result.refId === 'series') expect(buckets, result.panel).toEqual(report.series.buckets);
    for (const column of Object.keys(result.rows[0] ?? {}).filter((name) => name in series)) {
      const expected = buckets.map((bucket) => series[column][report.series.buckets.indexOf(bucket)]);
      expect(result.rows.map((row) => row[column]), `${result.panel}: ${column}`).toEqual(expected);
      compared++;
    }
  }
  return compared;
}

const at = (dashboard: GrafanaDashboard, options: PreviewOptions) => preview(dashboard, options);

describe('the dashboards show what dora report says', () => {
  // The demo's report window: Monday 2026-01-05 to Monday 2026-03-30, twelve weeks. Grafana
  // sends a day-rounded range ending at 23:59:59.999 on 2026-03-29, which the dashboards
  // take as the whole day, the same half-open window as `--until 2026-03-30`.
  const twelveWeeks = { from: Date.UTC(2026, 0, 5), to: Date.UTC(2026, 2, 30) - 1, intervalMs: DAY };
  const window = ['--since', '2026-01-05', '--until', '2026-03-30'];

  it('overview, every service: the five figures, rework, breakdown and every trend', async () => {
    const expected = await report(window);
    const results = await at(overview, { ...twelveWeeks });
    // 6 figures + the breakdown; the series columns: deployments per week, lead time p50 and p90,
    // change failure and rework rate, recovery and restore medians (the stacked stages have no report twin).
    expect(expectStatsEqual(results, expected.overall)).toEqual(7);
    expect(expectSeriesEqual(results, expected, expected.series.overall)).toEqual(7);
    // By hand from the generated events: successful production deployments finished in the window,
    // and the distinct UTC days they fell on; per week = deployments / (84 days / 7).
    const live = generateDemo(3).filter(
      (event): event is DeploymentEvent =>
        event.kind === 'deployment' && event.status === 'success' && Date.parse(event.finished_at) >= twelveWeeks.from && Date.parse(event.finished_at) <= twelveWeeks.to,
    );
    const frequency = results.find((item) => item.refId === 'deployment_frequency')!.rows[0]!;
    expect(frequency.deployments).toEqual(live.length);
    expect(frequency.deploy_days).toEqual(new Set(live.map((event) => new Date(event.finished_at).toISOString().slice(0, 10))).size);
    expect(frequency.per_week).toEqual(live.length / (84 / 7));
  });

  it('drill-down, one service: the same figures as dora report --service', async () => {
    const expected = await report([...window, '--service', 'checkout']);
    const results = await at(drillDown, { ...twelveWeeks, selection: { team: ALL, service: ['checkout'], environment: ALL } });
    expect(expectStatsEqual(results, expected.overall)).toEqual(7);
    expect(expectSeriesEqual(results, expected, expected.series.overall)).toEqual(7);
    expect(results.find((item) => item.refId === 'services')!.rows.map((row) => row.service)).toEqual(['checkout']);
  });

  it('drill-down, one team: the same figures as dora report --team, and each service of it', async () => {
    const expected = await report([...window, '--team', 'discovery']);
    const results = await at(drillDown, { ...twelveWeeks, selection: { team: ['discovery'], service: ALL, environment: ALL } });
    expect(expectStatsEqual(results, expected.overall)).toEqual(7);
    expect(expectSeriesEqual(results, expected, expected.series.overall)).toEqual(7);
    // The services table: one row per service of the team, each column a figure of services.<name>.
    const services = results.find((item) => item.refId === 'services')!.rows;
    expect(services.map((row) => [row.service, row.team])).toEqual([['catalog', 'discovery'], ['search', 'discovery']]);
    for (const row of services) {
      for (const [column, value] of Object.entries(row).filter(([name]) => name.includes('.'))) {
        const [metric, field] = column.split('.') as [string, string];
        expect(value, `${row.service} ${column}`).toEqual(expected.services[row.service as string][metric][field]);
      }
    }
  });

  it('a partial window in Europe/Berlin across the DST change, with the 2021 benchmarks', async () => {
    // Wednesday 11 February to Tuesday 31 March 2026 local time; clocks go forward on 29 March.
    const since = zonedToUtc({ year: 2026, month: 2, day: 11, hour: 0, minute: 0, second: 0, millisecond: 0 }, 'Europe/Berlin');
    const until = zonedToUtc({ year: 2026, month: 3, day: 31, hour: 0, minute: 0, second: 0, millisecond: 0 }, 'Europe/Berlin');
    const expected = await report(['--since', '2026-02-11', '--until', '2026-03-31', '--tz', 'Europe/Berlin', '--benchmark', '2021']);
    expect(expected.window.days).toEqual(48);
    const results = await at(overview, { from: since, to: until - 1, intervalMs: DAY, selection: { tz: 'Europe/Berlin', benchmark: '2021' } });
    expect(expectStatsEqual(results, expected.overall)).toEqual(7);
    expect(expectSeriesEqual(results, expected, expected.series.overall)).toEqual(7);
  });

  it('ten days of a service with few rows: daily buckets, tiers withheld, figures without data are null', async () => {
    const expected = await report(['--since', '2026-03-02', '--until', '2026-03-12', '--service', 'accounts']);
    expect(expected.series.granularity).toEqual('day');
    const results = await at(drillDown, { from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 12) - 1, intervalMs: 3_600_000, selection: { service: ['accounts'] } });
    expect(expectStatsEqual(results, expected.overall)).toEqual(7);
    expect(expectSeriesEqual(results, expected, expected.series.overall)).toEqual(6);
    // Below 5 rows a figure gets no tier ("insufficient data"): each figure's n, from the report.
    const o = expected.overall;
    const samples: Record<string, number> = {
      deployment_frequency: o.deployment_frequency.deployments,
      lead_time: o.lead_time.changes,
      change_failure_rate: o.change_failure_rate.deployments,
      time_to_restore: o.time_to_restore.resolved,
      recovery_time: o.recovery_time.recovered,
    };
    const withheld = Object.keys(samples).filter((key) => (samples[key] as number) < 5);
    expect(withheld.length).toBeGreaterThan(0);
    const tier = (refId: string) => results.find((item) => item.refId === refId)!.rows[0]!.tier;
    expect(withheld.map(tier)).toEqual(withheld.map(() => null));
  });

  it('an empty week: counts are 0, medians and rates are null (n/a), never 0', async () => {
    const expected = await report(['--since', '2027-01-04', '--until', '2027-01-11']);
    const results = await at(overview, { from: Date.UTC(2027, 0, 4), to: Date.UTC(2027, 0, 11) - 1, intervalMs: DAY });
    expect(expectStatsEqual(results, expected.overall)).toEqual(7);
    const restore = results.find((item) => item.refId === 'time_to_restore')!.rows[0]!;
    expect(restore).toEqual({ incidents: 0, resolved: 0, open: 0, invalid: 0, median_seconds: null, p90_seconds: null, tier: null });
    expect(results.find((item) => item.refId === 'change_failure_rate')!.rows[0]).toEqual({ failed: 0, deployments: 0, rate: null, tier: null });
  });

  it('every panel of every dashboard runs, and release health shows the verdicts dora releases stored', async () => {
    const releases = (await dora('releases', '--since', '2026-01-05', '--format', 'json')).json().releases as { verdict: string; finished_at: string }[];
    const inWindow = releases.filter((item) => Date.parse(item.finished_at) < Date.UTC(2026, 2, 30));
    const byVerdict = (verdict: string) => inWindow.filter((item) => item.verdict === verdict).length;
    const store = await openStore({ home });
    try {
      for (const [name, dashboard] of Object.entries(shipped)) {
        const results = await previewDashboard(store.client, dashboard, { ...twelveWeeks });
        const queried = dashboard.panels.filter((panel) => (panel.targets ?? []).length > 0).length;
        expect(results.length, name).toEqual(queried);
        if (name !== 'dora-release-health.json') continue;
        const counts = results.find((item) => item.refId === 'verdicts')!.rows[0];
        expect(counts).toEqual({ releases: inWindow.length, healthy: byVerdict('healthy'), watch: byVerdict('watch'), rollback: byVerdict('rollback') });
        expect(results.find((item) => item.refId === 'flagged')!.rows).toHaveLength(byVerdict('watch') + byVerdict('rollback'));
      }
    } finally {
      await store.close();
    }
    expect(byVerdict('rollback')).toBeGreaterThan(0);
  });
});
