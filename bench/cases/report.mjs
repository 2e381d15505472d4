// `dora report` over a generated organisation: BENCH_REPORT_DEPLOYMENTS (default 1,000,000) production
// deployments and BENCH_REPORT_COMMITS (default 10,000,000) commits across BENCH_REPORT_SERVICES (default
// 100) services with one repository each. The engine generates the data itself (INSERT … SELECT FROM
// numbers()); the report then runs in a fresh process so its peak RSS is the report's alone:
//   cold  — derive every service (graph diff, attribution) and report on everything over the year;
//   warm  — the same report again, nothing changed: derive only checks fingerprints;
//   one   — one new deployment on one service, then that service's report (derive redoes that service).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const deployments = Number(process.env.BENCH_REPORT_DEPLOYMENTS ?? 1_000_000);
const commits = Number(process.env.BENCH_REPORT_COMMITS ?? 10_000_000);
const services = Number(process.env.BENCH_REPORT_SERVICES ?? 100);
const perRepo = Math.floor(commits / services);
const deploysPerRepo = Math.floor(deployments / services);
if (perRepo < 10 * deploysPerRepo) throw new Error('BENCH_REPORT_COMMITS must be at least 10 × BENCH_REPORT_DEPLOYMENTS (ten commits per deployment)');

const mode = process.argv[2];
const home = process.argv[3];

const { openStore } = await import('../../dist/store/connect.js');
const { Config } = await import('../../dist/config/schema.js');
const { buildReport } = await import('../../dist/reports/index.js');

// Commit n of repository k: blocks of five, four branch commits then a merge into main; every six minutes
// from 2025-01-01. Deployment j of a service ships the merge of block 2j + 1 (ten commits, two PRs), 45 min
// after it; one in 100 deploys the previous deployment's commit again… minus a block (an inferred rollback).
const shaOf = (k, n) => `lower(hex(SHA1(concat('r', toString(${k}), ':', toString(${n})))))`;
const timeOf = (n) => `toDateTime64('2025-01-01 00:00:00', 3, 'UTC') + toIntervalMinute((${n}) * 6)`;

async function generate() {
  const store = await openStore({ home });
  const run = (query) => store.client.command({ query, clickhouse_settings: { max_insert_threads: 2 } });
  const started = performance.now();
  await run(`INSERT INTO commits (repo, sha, parents, author, authored_at, committed_at, message, source, extra, ingested_at)
    SELECT concat('acme/svc', toString(k)), ${shaOf('k', 'n')},
           multiIf(n = 0, [], n % 5 = 4 AND n >= 5, [${shaOf('k', 'n - 5')}, ${shaOf('k', 'n - 1')}], [${shaOf('k', 'n - 1')}]),
           concat('dev', toString(n % 17)), ${timeOf('n')}, ${timeOf('n')}, concat('change ', toString(n)), 'bench', map(), now64(3)
    FROM (SELECT intDiv(number, ${perRepo}) AS k, number % ${perRepo} AS n FROM numbers(${perRepo * services}))`);
  await run(`INSERT INTO pull_requests (repo, number, title, author, created_at, first_review_at, merged_at, merge_sha, base, commits, labels, source, extra, ingested_at)
    SELECT concat('acme/svc', toString(k)), b + 1, concat('PR ', toString(b)), 'dev',
           ${timeOf('5 * b')} + toIntervalMinute(10), ${timeOf('5 * b + 2')}, ${timeOf('5 * b + 4')}, ${shaOf('k', '5 * b + 4')}, 'main',
           arrayMap(i -> ${shaOf('k', '5 * b + i')}, range(4)), [], 'bench', map(), now64(3)
    FROM (SELECT intDiv(number, ${Math.floor(perRepo / 5)}) AS k, number % ${Math.floor(perRepo / 5)} AS b FROM numbers(${Math.floor(perRepo / 5) * services}))`);
  await run(`INSERT INTO deployments (id, service, environment, status, finished_at, started_at, source, repo, sha, version, rollback_of, url, extra, ingested_at)
    SELECT concat('d', toString(k), '-', toString(j)), concat('svc', toString(k)), 'production', 'success',
           ${timeOf('10 * j + 9')} + toIntervalMinute(45), NULL, 'bench', concat('acme/svc', toString(k)),
           if(j % 100 = 50, ${shaOf('k', '10 * j - 11')}, ${shaOf('k', '10 * j + 9')}), concat('v', toString(j)), '', '', map(), now64(3)
    FROM (SELECT intDiv(number, ${deploysPerRepo}) AS k, number % ${deploysPerRepo} AS j FROM numbers(${deploysPerRepo * services}))`);
  await run(`INSERT INTO incidents (id, service, opened_at, resolved_at, title, severity, source, deployment, url, extra, ingested_at)
    SELECT concat('i', toString(k), '-', toString(j)), concat('svc', toString(k)),
           ${timeOf('10 * j + 9')} + toIntervalMinute(75), ${timeOf('10 * j + 9')} + toIntervalMinute(135), 'errors', 'high', 'bench', '', '', map(), now64(3)
    FROM (SELECT intDiv(number, ${Math.ceil(deploysPerRepo / 20)}) AS k, (number % ${Math.ceil(deploysPerRepo / 20)}) * 20 + 7 AS j
          FROM numbers(${Math.ceil(deploysPerRepo / 20) * services}))`);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return seconds;
}

const config = Config.parse({});
// The whole generated span: 2025-01-01 plus 10 commits × 6 min per deployment.
const since = new Date('2025-01-01T00:00:00Z');
const until = new Date(Date.UTC(2025, 0, 1) + (deploysPerRepo * 10 + 20) * 6 * 60_000);

async function measure() {
  const store = await openStore({ home });
  const timed = async (work) => {
    const started = performance.now();
    const result = await work();
    return { result, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
  };
  const cold = await timed(() => buildReport(store.client, { since, until, config }));
  const warm = await timed(() => buildReport(store.client, { since, until, config }));
  await store.client.command({
    query: `INSERT INTO deployments (id, service, environment, status, finished_at, source, repo, sha, version, rollback_of, url, extra, ingested_at)
            SELECT 'd0-new', 'svc0', 'production', 'success', ${timeOf(`${deploysPerRepo * 10 + 9}`)}, 'bench', 'acme/svc0',
                   ${shaOf(0, perRepo - 1)}, 'new', '', '', map(), now64(3)`,
  });
  const one = await timed(() => buildReport(store.client, { since, until, config, services: ['svc0'] }));
  await store.close();
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  const overall = cold.result.overall;
  process.stdout.write(
    `${JSON.stringify({
      cold_s: cold.seconds,
      warm_s: warm.seconds,
      one_service_s: one.seconds,
      peak_rss_mb: peak,
      deployments: overall.deployment_frequency.deployments,
      changes: overall.lead_time.changes,
      failed: overall.change_failure_rate.failed,
      incidents: overall.time_to_restore.incidents,
    })}\n`,
  );
}

if (mode === '--measure') {
  await measure();
} else if (mode === '--generate') {
  const seconds = await generate();
  process.stdout.write(`${JSON.stringify({ seconds: Number(seconds.toFixed(2)) })}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dora-bench-report-'));
  const storeHome = join(dir, 'store');
  const child = (args) =>
    spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const gen = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--generate', storeHome], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (gen.status !== 0) throw new Error('generating the organisation failed');
    const generated = JSON.parse(gen.stdout);
    const measured = child(['--measure', storeHome]);
    if (measured.status !== 0) throw new Error('the report failed');
    const figures = JSON.parse(measured.stdout);
    const size = { deployments, commits: perRepo * services, services };
    console.log(JSON.stringify({ name: 'report generate (engine)', ...size, seconds: generated.seconds }));
    console.log(JSON.stringify({ name: 'report cold (derive all + report)', ...size, seconds: figures.cold_s, peak_rss_mb: figures.peak_rss_mb, changes: figures.changes, failed: figures.failed }));
    console.log(JSON.stringify({ name: 'report warm (nothing changed)', seconds: figures.warm_s }));
    console.log(JSON.stringify({ name: 'report one service after a new deployment', seconds: figures.one_service_s }));
    if (deployments < 1_000_000 || commits < 10_000_000) {
      console.log(JSON.stringify({ name: 'report note', size: `reduced (${deployments} deployments, ${commits} commits); unset BENCH_REPORT_* for the full size` }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
