// `dora check` over a busy day: BENCH_HEALTH_SERVICES (default 100) services with a production release
// every 2 h over the last 24 h (13 each, a baseline included) and BENCH_HEALTH_SPANS (default 5,000,000)
// server spans in the exporter's otel.otel_traces across them. Every tenth release's spans have 5 % errors
// against 0.5 % elsewhere, so about one in ten is judged rollback. The engine generates the data itself
// (INSERT … SELECT FROM numbers()); each check runs in a fresh process, so its peak RSS is its own:
//   cold — derive every service, then judge every release (one telemetry query each), store the verdicts;
//   warm — the same again: derive only compares fingerprints, the judging is redone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const services = Number(process.env.BENCH_HEALTH_SERVICES ?? 100);
const spans = Number(process.env.BENCH_HEALTH_SPANS ?? 5_000_000);
const releases = 13;
const mode = process.argv[2];
const home = process.argv[3];
const nowMs = Number(process.argv[4] ?? Date.now());

const { openStore } = await import('../../dist/store/connect.js');
const { Config } = await import('../../dist/config/schema.js');
const { runCheck } = await import('../../dist/health/index.js');

// Release j of service k (j = 0 is the baseline, 26 h ago; then every 2 h from 24 h ago) is version v<j>.
const start = `toDateTime64(${Math.floor(nowMs / 1000)}, 3, 'UTC') - toIntervalHour(26)`;
const releaseAt = (j) => `(${start} + toIntervalHour(if(${j} = 0, 0, 2 * ${j})))`;
const bad = (k, j) => `((${k} * 7 + ${j}) % 10 = 3)`;

async function generate() {
  const store = await openStore({ home });
  const run = (query) => store.client.command({ query, clickhouse_settings: { max_insert_threads: 2 } });
  const started = performance.now();
  await run(`INSERT INTO deployments (id, service, environment, status, finished_at, started_at, source, repo, sha, version, rollback_of, url, extra, ingested_at)
    SELECT concat('svc', toString(k), '-v', toString(j)), concat('svc', toString(k)), 'production', 'success', ${releaseAt('j')}, NULL, 'bench', '',
           lower(hex(SHA1(concat(toString(k), ':', toString(j))))), concat('v', toString(j)), '', '', map(), now64(3)
    FROM (SELECT intDiv(number, ${releases}) AS k, number % ${releases} AS j FROM numbers(${services * releases}))`);
  await run('CREATE DATABASE IF NOT EXISTS otel');
  await run(`CREATE TABLE IF NOT EXISTS otel.otel_traces (
      Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String, TraceState String,
      SpanName LowCardinality(String), SpanKind LowCardinality(String), ServiceName LowCardinality(String),
      ResourceAttributes Map(LowCardinality(String), String), ScopeName String, ScopeVersion String,
      SpanAttributes Map(LowCardinality(String), String), Duration UInt64, StatusCode LowCardinality(String), StatusMessage String,
      Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)),
      Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String))
    ) ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))`);
  // Span n: service n % services, at an even spread over the 26 h; its version is the release live then.
  await run(`INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, Duration, StatusCode)
    SELECT t, hex(n), hex(cityHash64(n)), 'GET /', 'Server', concat('svc', toString(k)), map('service.version', concat('v', toString(j))),
           toUInt64((40 + cityHash64(n, 1) % 120) * 1000000), if(cityHash64(n, 2) % 1000 < if(${bad('k', 'j')}, 50, 5), 'Error', 'Unset')
    FROM (SELECT number AS n, number % ${services} AS k,
                 ${start} + toIntervalMillisecond(intDiv(number * ${26 * 3_600_000}, ${spans})) AS t,
                 if(intDiv(number * 26, ${spans}) < 2, 0, least(${releases - 1}, intDiv(intDiv(number * 26, ${spans}), 2))) AS j
          FROM numbers(${spans}))`);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return seconds;
}

async function check() {
  const store = await openStore({ home });
  const started = performance.now();
  const result = await runCheck(store.client, { config: Config.parse({}), env: {}, now: nowMs, since: nowMs - 26 * 3_600_000 });
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const count = (verdict) => result.evaluation.verdicts.filter((item) => item.verdict === verdict).length;
  const compared = result.evaluation.verdicts.filter((item) => item.telemetry && item.telemetry.skipped === null).length;
  return { seconds, releases: result.evaluation.verdicts.length, compared, rollback: count('rollback'), watch: count('watch'), peak_rss_mb: process.resourceUsage().maxRSS / 1024 };
}

if (mode === 'generate') {
  process.stdout.write(JSON.stringify({ seconds: await generate() }));
} else if (mode === 'check') {
  process.stdout.write(JSON.stringify(await check()));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dora-bench-health-'));
  const self = fileURLToPath(import.meta.url);
  const now = String(Date.now());
  const step = (name) => {
    const child = spawnSync(process.execPath, [self, name, join(dir, 'store'), now], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`health bench step ${name} failed`);
    return JSON.parse(child.stdout);
  };
  try {
    const generated = step('generate');
    console.log(JSON.stringify({ name: 'health generate', services, releases: services * releases, spans, seconds: generated.seconds }));
    for (const label of ['cold', 'warm']) {
      const measured = step('check');
      console.log(JSON.stringify({ name: `health check ${label}`, ...measured, releases_per_second: measured.releases / measured.seconds }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
