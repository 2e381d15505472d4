// One measured step of the suite (bench/suite.mjs), run in its own process so its peak RSS is its own.
// Prints one JSON object on stdout. `node bench/steps.mjs STEP ARGS…`:
//   import FILE HOME       dora's import (parse, validate, insert) of FILE into a fresh store at HOME
//   native FILE HOME       the engine ingesting FILE itself: INSERT … SELECT FROM file(…, JSONEachRow) … WHERE kind, per table
//   native-split FILE HOME the same from a file per kind (split untimed): each line parsed once, as the import does
//   derive HOME            derive every service (graph diff, attribution), cold
//   incremental HOME       one new deployment of one service shipping 10 new commits, then derive again
//   report HOME            `dora report` over the year for all services, then for one service (derived up to date)
import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [step, ...args] = process.argv.slice(2);
const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (started) => Number(((performance.now() - started) / 1000).toFixed(3));

const { openStore } = await import('../dist/store/connect.js');
const { Config } = await import('../dist/config/schema.js');
const config = Config.parse({});

async function importStep(file, home) {
  const { importEvents } = await import('../dist/ingest/import.js');
  const store = await openStore({ home });
  const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
  const started = performance.now();
  const summary = await importEvents(store.client, createReadStream(file), { scope: 'bench' });
  const took = seconds(started);
  await store.close();
  return { seconds: took, events: summary.accepted, rejected: summary.rejected, rss_before_mb: rssBefore, peak_rss_mb: peak() };
}

// The same fields as the import's mapping (src/store/event-lines.ts), read by the engine straight from the file.
const native = {
  commits: "repo String, sha String, parents Array(String), author String, authored_at DateTime64(3, 'UTC'), committed_at Nullable(DateTime64(3, 'UTC')), message String",
  pull_requests: "repo String, number UInt64, title String, author String, created_at DateTime64(3, 'UTC'), first_review_at Nullable(DateTime64(3, 'UTC')), merged_at Nullable(DateTime64(3, 'UTC')), merge_sha String, base String, commits Array(String), labels Array(String)",
  deployments: "id String, service String, environment String, status String, finished_at DateTime64(3, 'UTC'), started_at Nullable(DateTime64(3, 'UTC')), source String, repo String, sha String, version String, rollback_of String, url String",
  incidents: "id String, service String, opened_at DateTime64(3, 'UTC'), resolved_at Nullable(DateTime64(3, 'UTC')), title String, severity String, source String, deployment String, url String",
};
const kindOf = { commits: 'commit', pull_requests: 'pull_request', deployments: 'deployment', incidents: 'incident' };

/** The engine ingesting the same file: one INSERT … SELECT FROM file() per table, each reading every line. */
async function nativeStep(file, home) {
  const store = await openStore({ home });
  const started = performance.now();
  for (const [table, structure] of Object.entries(native)) {
    const columns = [...structure.matchAll(/(?:^|, )(\w+) /g)].map((match) => match[1]).join(', ');
    await store.client.command({
      query: `INSERT INTO ${table} (${columns}, ingested_at) SELECT ${columns}, now64(3) FROM file({file:String}, JSONEachRow, {structure:String}) WHERE kind = {kind:String}`,
      query_params: { file, structure: `kind String, ${structure}`, kind: kindOf[table] },
      clickhouse_settings: { input_format_skip_unknown_fields: 1, date_time_input_format: 'best_effort' },
    });
  }
  const took = seconds(started);
  const rows = await countRows(store);
  await store.close();
  return { seconds: took, rows, peak_rss_mb: peak() };
}

async function countRows(store) {
  const result = await store.client.query({
    query: 'SELECT (SELECT count() FROM commits) + (SELECT count() FROM pull_requests) + (SELECT count() FROM deployments) + (SELECT count() FROM incidents) AS n',
    format: 'JSONEachRow',
  });
  const [{ n }] = await result.json();
  return Number(n);
}

/**
 * A stricter yardstick: the file split by kind first (not timed), so the engine parses each line
 * once, as the import does; then each table reads its own file.
 */
async function nativeSplitStep(file, home) {
  const parts = Object.fromEntries(Object.keys(native).map((table) => [table, `${home}-${table}.ndjson`]));
  const outs = Object.fromEntries(Object.entries(parts).map(([table, path]) => [table, createWriteStream(path)]));
  const tableOf = Object.fromEntries(Object.entries(kindOf).map(([table, kind]) => [`{"kind":"${kind}"`, table]));
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const table = tableOf[line.slice(0, line.indexOf(',') === -1 ? undefined : line.indexOf(','))];
    if (!table) throw new Error(`a line of an unexpected shape: ${line.slice(0, 60)}`);
    if (!outs[table].write(`${line}\n`)) await once(outs[table], 'drain');
  }
  await Promise.all(Object.values(outs).map((out) => new Promise((resolve) => out.end(resolve))));
  const store = await openStore({ home });
  const started = performance.now();
  for (const [table, structure] of Object.entries(native)) {
    const columns = [...structure.matchAll(/(?:^|, )(\w+) /g)].map((match) => match[1]).join(', ');
    await store.client.command({
      query: `INSERT INTO ${table} (${columns}, ingested_at) SELECT ${columns}, now64(3) FROM file({file:String}, JSONEachRow, {structure:String})`,
      query_params: { file: parts[table], structure },
      clickhouse_settings: { input_format_skip_unknown_fields: 1, date_time_input_format: 'best_effort' },
    });
  }
  const took = seconds(started);
  const rows = await countRows(store);
  await store.close();
  for (const path of Object.values(parts)) rmSync(path, { force: true });
  return { seconds: took, rows, peak_rss_mb: peak() };
}

async function deriveStep(home) {
  const { deriveMetrics } = await import('../dist/derive/index.js');
  const store = await openStore({ home });
  const started = performance.now();
  const summary = await deriveMetrics(store.client, { config });
  const took = seconds(started);
  const result = await store.client.query({
    query: 'SELECT (SELECT count() FROM current_deployments) AS deployments, (SELECT count() FROM current_changes) AS changes, (SELECT count() FROM current_incidents) AS incidents',
    format: 'JSONEachRow',
  });
  const [counts] = await result.json();
  await store.close();
  return { seconds: took, services: summary.derived.length, ...counts, peak_rss_mb: peak() };
}

async function incrementalStep(home) {
  const { deriveMetrics } = await import('../dist/derive/index.js');
  const { importEvents } = await import('../dist/ingest/import.js');
  const store = await openStore({ home });
  // Ten new commits on svc0's newest one, and a deployment shipping them.
  const tip = await store.client.query({ query: "SELECT sha, toString(committed_at) AS at FROM commits WHERE repo = 'acme/svc0' ORDER BY committed_at DESC LIMIT 1", format: 'JSONEachRow' });
  const [{ sha: head }] = await tip.json();
  // After everything svc0 has seen, as a new deployment would be (deep services deploy hourly on the last day too).
  const last = await store.client.query({
    query: `SELECT toUnixTimestamp64Milli(greatest((SELECT max(finished_at) FROM deployments WHERE service = 'svc0'),
              (SELECT max(greatest(opened_at, ifNull(resolved_at, opened_at))) FROM incidents WHERE service = 'svc0'))) AS at`,
    format: 'JSONEachRow',
  });
  const [{ at: lastFinished }] = await last.json();
  const base = Math.max(Date.UTC(2025, 11, 31, 12), Number(lastFinished) + 60_000);
  const lines = [];
  let parent = head;
  for (let n = 0; n < 10; n++) {
    const sha = (n + 1).toString(16).padStart(40, 'f');
    lines.push(JSON.stringify({ kind: 'commit', repo: 'acme/svc0', sha, parents: [parent], authored_at: new Date(base + n * 60_000).toISOString() }));
    parent = sha;
  }
  lines.push(JSON.stringify({ kind: 'deployment', id: 'svc0-new', service: 'svc0', environment: 'production', status: 'success', repo: 'acme/svc0', sha: parent, finished_at: new Date(base + 3_600_000).toISOString() }));
  await importEvents(store.client, [lines.join('\n')], { scope: 'bench' });
  const started = performance.now();
  const summary = await deriveMetrics(store.client, { config });
  const took = seconds(started);
  const result = await store.client.query({ query: "SELECT changes FROM current_deployments WHERE id = 'svc0-new'", format: 'JSONEachRow' });
  const [row] = await result.json();
  await store.close();
  return {
    seconds: took,
    services_derived: summary.derived.length,
    appended: summary.appended.length,
    new_deployment_changes: Number(row?.changes ?? -1),
    peak_rss_mb: peak(),
  };
}

async function reportStep(home) {
  const { buildReport, renderReport } = await import('../dist/reports/index.js');
  const store = await openStore({ home });
  const window = { since: new Date('2025-01-01T00:00:00Z'), until: new Date('2026-01-01T00:00:00Z'), config };
  // What every report pays first: is any service's derivation out of date? (Nothing arrived since.)
  const { deriveMetrics } = await import('../dist/derive/index.js');
  const checking = performance.now();
  await deriveMetrics(store.client, { config });
  const checkSeconds = seconds(checking);
  const started = performance.now();
  const all = await buildReport(store.client, window);
  renderReport(all, 'json', { pretty: false }); // as `dora report --format json` piped to a program
  const allSeconds = seconds(started);
  const again = performance.now();
  const one = await buildReport(store.client, { ...window, services: ['svc1'] });
  renderReport(one, 'json', { pretty: false });
  const oneSeconds = seconds(again);
  await store.close();
  const overall = all.overall;
  return {
    all_seconds: allSeconds,
    one_seconds: oneSeconds,
    check_seconds: checkSeconds,
    services: Object.keys(all.services).length,
    deployments: overall.deployment_frequency.deployments,
    changes: overall.lead_time.changes,
    failed: overall.change_failure_rate.failed,
    incidents: overall.time_to_restore.incidents,
    peak_rss_mb: peak(),
  };
}

const steps = { import: importStep, native: nativeStep, 'native-split': nativeSplitStep, derive: deriveStep, incremental: incrementalStep, report: reportStep };
if (!steps[step]) throw new Error(`unknown step ${step}; expected one of ${Object.keys(steps).join(', ')}`);
process.stdout.write(`${JSON.stringify(await steps[step](...args))}\n`);
