// The benchmark suite: for each size of the synthetic organisation (bench/org.mjs), generate it, then
// measure each step in a fresh process (bench/steps.mjs): import against the engine's native ingest of
// the same file, derivation cold and after one new deployment, and the report. Collectors run against
// their local servers (bench/cases). Figures go to a table and to bench/results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sizes, writeOrganisation } from './org.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const load = () => loadavg().map((value) => Number(value.toFixed(2)));

function child(file, args, env = {}) {
  const result = spawnSync(process.execPath, [file, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CI: 'true', ...env },
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`${file} ${args[0] ?? ''} failed (exit ${result.status})`);
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
const step = (...args) => child(join(here, 'steps.mjs'), args)[0];

/** Measure one size; returns its figures. */
export async function runSize(name, log = (text) => process.stderr.write(`${text}\n`)) {
  const size = sizes[name];
  if (!size) throw new Error(`unknown size ${name}; expected one of ${Object.keys(sizes).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), `dora-bench-${name}-`));
  const file = join(dir, 'org.ndjson');
  const home = join(dir, 'store');
  const loadBefore = load();
  try {
    let started = performance.now();
    const events = await writeOrganisation(size, file);
    log(`  ${name}: generated ${events.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const nativeRun = step('native', file, join(dir, 'native'));
    rmSync(join(dir, 'native'), { recursive: true, force: true });
    const splitRun = step('native-split', file, join(dir, 'native'));
    rmSync(join(dir, 'native'), { recursive: true, force: true });
    log(`  ${name}: native ingest ${nativeRun.seconds} s (same file), ${splitRun.seconds} s (a file per kind)`);
    const imported = step('import', file, home);
    log(`  ${name}: import ${imported.seconds} s`);
    rmSync(file, { force: true });
    const derived = step('derive', home);
    log(`  ${name}: derive ${derived.seconds} s`);
    const report = step('report', home);
    log(`  ${name}: report ${report.all_seconds} s, one service ${report.one_seconds} s`);
    const incremental = step('incremental', home);
    log(`  ${name}: one new deployment, derive ${incremental.seconds} s`);
    started = performance.now();
    return {
      size,
      events,
      measured_at: new Date().toISOString(),
      load_before: loadBefore,
      load_after: load(),
      import: {
        seconds: imported.seconds,
        events_per_s: Math.round(imported.events / imported.seconds),
        native_seconds: nativeRun.seconds,
        native_events_per_s: Math.round(nativeRun.rows / nativeRun.seconds),
        ratio_to_native: Number((imported.seconds / nativeRun.seconds).toFixed(2)),
        native_split_seconds: splitRun.seconds,
        ratio_to_native_split: Number((imported.seconds / splitRun.seconds).toFixed(2)),
        peak_rss_mb: imported.peak_rss_mb,
        rejected: imported.rejected,
      },
      derive: { seconds: derived.seconds, peak_rss_mb: derived.peak_rss_mb, deployments: derived.deployments, changes: derived.changes, incidents: derived.incidents },
      incremental: {
        seconds: incremental.seconds,
        services_derived: incremental.services_derived,
        appended: incremental.appended,
        changes_shipped: incremental.new_deployment_changes,
        peak_rss_mb: incremental.peak_rss_mb,
      },
      report: {
        all_seconds: report.all_seconds,
        one_seconds: report.one_seconds,
        check_seconds: report.check_seconds,
        peak_rss_mb: report.peak_rss_mb,
        services: report.services,
        deployments: report.deployments,
        failed: report.failed,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The collectors against their local servers, through the existing cases; `tiny` keeps CI fast. */
export function runCollectors(tiny) {
  const env = tiny
    ? { BENCH_GIT_COMMITS: '2000', BENCH_GITHUB_REPOS: '2', BENCH_GITHUB_PRS: '10', BENCH_HEROKU_RELEASES: '1000', BENCH_PAGERDUTY_INCIDENTS: '1000', BENCH_OPSGENIE_ITEMS: '1000' }
    : {};
  const byName = (lines) => Object.fromEntries(lines.map((line) => [line.name, line]));
  const git = byName(child(join(here, 'cases', 'git.mjs'), [], env));
  const github = byName(child(join(here, 'cases', 'github.mjs'), [], env));
  const heroku = byName(child(join(here, 'cases', 'heroku.mjs'), [], env));
  const pagerduty = byName(child(join(here, 'cases', 'pagerduty.mjs'), [], env));
  const opsgenie = byName(child(join(here, 'cases', 'opsgenie.mjs'), [], env));
  const first = github['github first sync'];
  const pagerdutyFirst = pagerduty['pagerduty first run'];
  const per100 = (requests, objects) => Number(((requests / objects) * 100).toFixed(2));
  // Opsgenie alerts (the default kind, each new alert read once more for its details), then incidents.
  const opsgenieKind = (kind) => {
    const [run, next] = [opsgenie[`opsgenie ${kind} first run`], opsgenie[`opsgenie ${kind} next run`]];
    return { objects: run.items, stored: run.stored, events_per_s: run.events_per_s, requests_per_100: run.requests_per_100, next_run_requests: next.requests, next_run_written: next.events };
  };
  return {
    git: { objects: git.git.commits, events_per_s: git.git.commits_per_s, requests_per_100: null, note: 'local repository: no requests', peak_rss_mb: git.git.peak_rss_mb },
    github: {
      objects: first.merged_prs,
      events_per_s: Math.round(first.events / first.seconds),
      requests_per_100: Number(((first.requests / first.merged_prs) * 100).toFixed(1)),
      points_per_100: first.points_per_100_prs,
      unchanged_requests_per_repo: github['github unchanged re-sync'].requests_per_repo,
    },
    heroku: {
      objects: heroku.heroku.releases,
      events_per_s: heroku.heroku.releases_per_s,
      requests_per_100: Number(((heroku.heroku.requests / heroku.heroku.releases) * 100).toFixed(2)),
      peak_rss_mb: heroku.heroku.peak_rss_mb,
    },
    pagerduty: {
      objects: pagerdutyFirst.incidents,
      events_per_s: pagerdutyFirst.incidents_per_s,
      requests_per_100: per100(pagerdutyFirst.requests, pagerdutyFirst.incidents),
      peak_rss_mb: pagerdutyFirst.peak_rss_mb,
      // The second run, an hour later with nothing new, writes again only the incidents still open.
      next_run_requests: pagerduty['pagerduty next run'].requests,
      next_run_written: pagerduty['pagerduty next run'].written,
    },
    opsgenie: { kind: 'alerts', ...opsgenieKind('alerts'), peak_rss_mb: opsgenie['opsgenie alerts first run'].peak_rss_mb, incidents: opsgenieKind('incidents') },
  };
}

/** How a figure grows from the smallest to the largest size: the exponent k in figure ∝ events^k. */
function growth(results) {
  const measured = Object.values(results.sizes ?? {}).sort((a, b) => a.events - b.events);
  if (measured.length < 2) return undefined;
  const [low, high] = [measured[0], measured.at(-1)];
  const exponent = (a, b) => (a > 0 && b > 0 ? Number((Math.log(b / a) / Math.log(high.events / low.events)).toFixed(2)) : null);
  return {
    from: low.size, to: high.size,
    import_seconds_exponent: exponent(low.import.seconds, high.import.seconds),
    derive_seconds_exponent: exponent(low.derive.seconds, high.derive.seconds),
    incremental_seconds_exponent: exponent(low.incremental.seconds, high.incremental.seconds),
    report_all_seconds_exponent: exponent(low.report.all_seconds, high.report.all_seconds),
    import_peak_rss_ratio: Number((high.import.peak_rss_mb / low.import.peak_rss_mb).toFixed(2)),
    derive_peak_rss_ratio: Number((high.derive.peak_rss_mb / low.derive.peak_rss_mb).toFixed(2)),
  };
}

export function machine() {
  return { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
}

/** Merge new figures into the results file (sizes not run keep their last figures). */
export function saveResults(path, update) {
  const previous = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const results = { ...previous, machine: machine(), sizes: { ...previous.sizes, ...update.sizes } };
  if (update.collectors) results.collectors = { ...update.collectors, measured_at: new Date().toISOString(), load: load() };
  results.growth = growth(results);
  results.targets = targets(results);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

function targets(results) {
  const measured = Object.entries(results.sizes ?? {});
  const largest = measured.sort((a, b) => b[1].events - a[1].events)[0];
  const peakOf = (figures) => Math.max(figures.import.peak_rss_mb, figures.derive.peak_rss_mb, figures.incremental.peak_rss_mb, figures.report.peak_rss_mb);
  return {
    import_at_most_2x_native: Object.fromEntries(measured.map(([name, figures]) => [name, { same_file: figures.import.ratio_to_native <= 2, file_per_kind: figures.import.ratio_to_native_split <= 2 }])),
    report_under_2s_at_largest: largest ? { size: largest[0], seconds: largest[1].report.all_seconds, met: largest[1].report.all_seconds < 2 } : null,
    memory_under_1gb: Object.fromEntries(measured.map(([name, figures]) => [name, { peak_rss_mb: peakOf(figures), met: peakOf(figures) < 1024 }])),
    // One new deployment touches one service, and within it only what the deployment shipped (the append path).
    incremental_derivation: Object.fromEntries(
      measured.map(([name, figures]) => [
        name,
        { services_derived: figures.incremental.services_derived, appended: figures.incremental.appended ?? null, seconds: figures.incremental.seconds },
      ]),
    ),
  };
}

const number = (value) => (typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(value ?? '-'));

/** The results as a text table: one column per size, and the growth exponent. */
export function renderTable(results) {
  const names = Object.keys(results.sizes ?? {}).sort((a, b) => results.sizes[a].events - results.sizes[b].events);
  const rows = [
    ['events', (f) => f.events],
    ['import s', (f) => f.import.seconds, 'import_seconds_exponent'],
    ['import events/s', (f) => f.import.events_per_s],
    ['native ingest s', (f) => f.import.native_seconds],
    ['import / native', (f) => f.import.ratio_to_native],
    ['native, file per kind s', (f) => f.import.native_split_seconds],
    ['import / native per kind', (f) => f.import.ratio_to_native_split],
    ['import peak RSS MB', (f) => f.import.peak_rss_mb, 'import_peak_rss_ratio'],
    ['derive (cold) s', (f) => f.derive.seconds, 'derive_seconds_exponent'],
    ['derive peak RSS MB', (f) => f.derive.peak_rss_mb, 'derive_peak_rss_ratio'],
    ['+1 deployment: derive s', (f) => f.incremental.seconds, 'incremental_seconds_exponent'],
    ['+1 deployment: services', (f) => f.incremental.services_derived],
    ['+1 deployment: appended', (f) => f.incremental.appended],
    ['report: derive check s', (f) => f.report.check_seconds],
    ['report, all services s', (f) => f.report.all_seconds, 'report_all_seconds_exponent'],
    ['report, one service s', (f) => f.report.one_seconds],
    ['report peak RSS MB', (f) => f.report.peak_rss_mb],
    ['load avg before', (f) => f.load_before[0]],
  ];
  const header = ['', ...names, results.growth ? 'growth' : ''];
  const body = rows.map(([label, pick, key]) => [label, ...names.map((name) => number(pick(results.sizes[name]))), key && results.growth ? number(results.growth[key]) : '']);
  const lines = [header, ...body];
  if (results.collectors) {
    lines.push(['', '', '', ''].slice(0, header.length));
    for (const [name, figures] of Object.entries(results.collectors)) {
      if (typeof figures !== 'object' || figures === null || !('events_per_s' in figures)) continue;
      lines.push([`collector ${name}`, `${number(figures.events_per_s)} events/s`, `${number(figures.requests_per_100)} req/100`, `${number(figures.objects)} objects`]);
    }
  }
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => String(line[column] ?? '').length)));
  return lines.map((line) => line.map((cell, column) => String(cell ?? '').padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}
