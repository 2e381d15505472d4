import type { ClickHouseClient } from '@clickhouse/client';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { deriveMetrics } from '../src/derive/run.js';
import { chTime } from '../src/derive/time.js';
import { evaluateReleases, type ReleaseVerdict } from '../src/health/index.js';
import { normalCdf, twoProportionTest } from '../src/health/telemetry/stats.js';
import { openStore, type Store } from '../src/store/connect.js';
import { ago, deploy, herokuRelease, load, sha, type Raw } from './fakes/chat/releases.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/store.js';

const tmp = tempDir();
const home = join(tmp.dir, 'store');
const now = Date.now();
const minute = 60_000;
const config = Config.parse({});
let store: Store;

/** The OpenTelemetry Collector ClickHouse exporter's traces table (apis.md §6, sqltemplates/traces_table.sql). */
const tracesTable = (database: string) => `CREATE TABLE IF NOT EXISTS ${database}.otel_traces (
  Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
  TraceId String CODEC(ZSTD(1)),
  SpanId String CODEC(ZSTD(1)),
  ParentSpanId String CODEC(ZSTD(1)),
  TraceState String CODEC(ZSTD(1)),
  SpanName LowCardinality(String) CODEC(ZSTD(1)),
  SpanKind LowCardinality(String) CODEC(ZSTD(1)),
  ServiceName LowCardinality(String) CODEC(ZSTD(1)),
  ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  ScopeName String CODEC(ZSTD(1)),
  ScopeVersion String CODEC(ZSTD(1)),
  SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  Duration UInt64 CODEC(ZSTD(1)),
  StatusCode LowCardinality(String) CODEC(ZSTD(1)),
  StatusMessage String CODEC(ZSTD(1)),
  Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
  Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1))
) ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;

interface Spans {
  service: string;
  version: string;
  /** First span, epoch ms; `count` spans spread evenly over `spanMinutes`. */
  from: number;
  spanMinutes: number;
  count: number;
  /** Every n-th span (number % n = 0) has StatusCode Error; 0 for none. */
  errorEvery: number;
  /** Duration in ms: base + number % spread. */
  durationMs: number;
  spread?: number;
  kind?: string;
  environment?: string;
  statusError?: string;
}

/** Thousands of spans in one statement, as the brief asks: INSERT … SELECT FROM numbers(). */
async function insertSpans(client: ClickHouseClient, spans: Spans): Promise<void> {
  await client.command({
    query: `INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, Duration, StatusCode)
            SELECT toDateTime64({from:DateTime64(3, 'UTC')}, 9) + toIntervalMillisecond(intDiv(number * {stepMs:UInt64}, 1)),
                   hex(cityHash64({service:String}, {version:String}, number)), hex(cityHash64(number, {version:String}, {service:String})),
                   'GET /', {kind:String}, {service:String},
                   map('service.version', {version:String}, 'deployment.environment.name', {environment:String}),
                   toUInt64(({durationMs:UInt64} + number % {spread:UInt64}) * 1000000),
                   if({errorEvery:UInt64} > 0 AND number % {errorEvery:UInt64} = 0, {statusError:String}, 'Unset')
            FROM numbers({count:UInt64})`,
    query_params: {
      from: chTime(spans.from),
      stepMs: Math.floor((spans.spanMinutes * minute) / spans.count),
      service: spans.service,
      version: spans.version,
      kind: spans.kind ?? 'Server',
      environment: spans.environment ?? 'production',
      durationMs: spans.durationMs,
      spread: spans.spread ?? 1,
      errorEvery: spans.errorEvery,
      statusError: spans.statusError ?? 'Error',
      count: spans.count,
    },
  });
}

const events: Raw[] = [
  // checkout: v1.5.0 finished 150 min ago, so its 2 h window is complete: [−150, −30) against v1.4.0's [−270, −150).
  herokuRelease('acme-checkout', 'checkout', 140, ago(now, 2 * 1440), { sha: sha('k140') }),
  deploy('checkout-1.4.0', 'checkout', ago(now, 1440), { version: 'v1.4.0', sha: sha('k1') }),
  deploy('checkout-1.5.0', 'checkout', ago(now, 150), { version: 'v1.5.0', sha: sha('k2') }),
  // search: a tiny sample. cart: enough spans, a rise inside the noise. auth: slower. docs: no version, spans carry the commit.
  deploy('search-2', 'search', ago(now, 1440), { version: 'v2' }),
  deploy('search-3', 'search', ago(now, 150), { version: 'v3' }),
  deploy('cart-1', 'cart', ago(now, 1440), { version: '1' }),
  deploy('cart-2', 'cart', ago(now, 150), { version: '2' }),
  deploy('auth-1', 'auth', ago(now, 1440), { version: 'a1' }),
  deploy('auth-2', 'auth', ago(now, 150), { version: 'a2' }),
  deploy('docs-1', 'docs', ago(now, 1440), { sha: sha('d1') }),
  deploy('docs-2', 'docs', ago(now, 150), { sha: sha('d2') }),
  // stream: three releases 2 h apart; st2's own spans are st3's baseline too.
  deploy('stream-1', 'stream', ago(now, 360), { version: 'st1' }),
  deploy('stream-2', 'stream', ago(now, 240), { version: 'st2' }),
  deploy('stream-3', 'stream', ago(now, 120), { version: 'st3' }),
];

let verdicts: Map<string, ReleaseVerdict>;
const judged = (id: string) => {
  const found = verdicts.get(id);
  if (!found) throw new Error(`no verdict for ${id}`);
  return found;
};

beforeAll(async () => {
  store = await openStore({ home });
  await load(store.client, events);
  await deriveMetrics(store.client, { config });
  // Before any OTel data: the signal is absent, never an error.
  const bare = await evaluateReleases(store.client, { config, since: now - 200 * minute, now });
  expect(bare.telemetry).toEqual({ table: null, absent: 'no table otel.otel_traces' });
  expect(bare.verdicts.every((item) => item.telemetry === null && item.verdict === 'healthy')).toBe(true);

  await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS otel' });
  await store.client.command({ query: tracesTable('otel') });
  const start = now - 150 * minute;
  const before = now - 270 * minute;
  // checkout: 4,000 spans each. v1.4.0: every 200th an error (20 = 0.5 %); v1.5.0: every 25th (160 = 4 %).
  await insertSpans(store.client, { service: 'checkout', version: 'v1.4.0', from: before, spanMinutes: 120, count: 4000, errorEvery: 200, durationMs: 100, spread: 100 });
  await insertSpans(store.client, { service: 'checkout', version: 'v1.5.0', from: start, spanMinutes: 120, count: 4000, errorEvery: 25, durationMs: 100, spread: 100 });
  // Not counted: client spans full of errors, staging spans of the same version, spans after the window, another service.
  await insertSpans(store.client, { service: 'checkout', version: 'v1.5.0', from: start, spanMinutes: 120, count: 1000, errorEvery: 1, durationMs: 5000, kind: 'Client' });
  await insertSpans(store.client, { service: 'checkout', version: 'v1.5.0', from: start, spanMinutes: 120, count: 1000, errorEvery: 1, durationMs: 5000, environment: 'staging' });
  await insertSpans(store.client, { service: 'checkout', version: 'v1.5.0', from: now - 29 * minute, spanMinutes: 25, count: 1000, errorEvery: 1, durationMs: 5000 });
  await insertSpans(store.client, { service: 'payments', version: 'v1.5.0', from: start, spanMinutes: 120, count: 1000, errorEvery: 1, durationMs: 5000 });
  // search: 40 spans each, 0 errors, then 1 (2.5 %).
  await insertSpans(store.client, { service: 'search', version: 'v2', from: before, spanMinutes: 120, count: 40, errorEvery: 0, durationMs: 50 });
  await insertSpans(store.client, { service: 'search', version: 'v3', from: start, spanMinutes: 120, count: 40, errorEvery: 40, durationMs: 50 });
  // cart: 400 spans each, 4 errors (1 %) then 8 (2 %).
  await insertSpans(store.client, { service: 'cart', version: '1', from: before, spanMinutes: 120, count: 400, errorEvery: 100, durationMs: 80 });
  await insertSpans(store.client, { service: 'cart', version: '2', from: start, spanMinutes: 120, count: 400, errorEvery: 50, durationMs: 80 });
  // auth: 500 spans each, no errors, every span 100 ms, then 180 ms.
  await insertSpans(store.client, { service: 'auth', version: 'a1', from: before, spanMinutes: 120, count: 500, errorEvery: 0, durationMs: 100 });
  await insertSpans(store.client, { service: 'auth', version: 'a2', from: start, spanMinutes: 120, count: 500, errorEvery: 0, durationMs: 180 });
  // docs: service.version is the commit: 12 characters for the old release, 7 for the new; the older exporter's status spelling.
  await insertSpans(store.client, { service: 'docs', version: sha('d1').slice(0, 12), from: before, spanMinutes: 120, count: 300, errorEvery: 0, durationMs: 20 });
  await insertSpans(store.client, { service: 'docs', version: sha('d2').slice(0, 7), from: start, spanMinutes: 120, count: 300, errorEvery: 10, durationMs: 20, statusError: 'STATUS_CODE_ERROR' });

  // stream: 600 spans per release over its 2 h (the last release's stop 1 min ago), 1 % errors each.
  for (const [index, version] of ['st1', 'st2', 'st3'].entries()) {
    await insertSpans(store.client, { service: 'stream', version, from: now - (360 - 120 * index) * minute, spanMinutes: index === 2 ? 119 : 120, count: 600, errorEvery: 100, durationMs: 30 });
  }

  const evaluation = await evaluateReleases(store.client, { config, since: now - 250 * minute, now });
  expect(evaluation.telemetry).toEqual({ table: 'otel.otel_traces', absent: null });
  verdicts = new Map(evaluation.verdicts.map((item) => [item.release.id, item]));
});
afterAll(async () => {
  await store?.close();
  tmp.remove();
});

describe('telemetry signal over otel_traces', () => {
  it('an error ratio from 0.5 % to 4 % over 4,000 spans each is `rollback`', () => {
    const release = judged('checkout-1.5.0');
    expect(release.verdict).toEqual('rollback');
    expect(release.telemetry).toMatchObject({
      table: 'otel.otel_traces',
      serviceName: 'checkout',
      previousRelease: 'checkout-1.4.0',
      window: { since: ago(now, 270), until: ago(now, 30), seconds: 7200 },
      current: { spans: 4000, errors: 160, errorRatio: 0.04 },
      previous: { spans: 4000, errors: 20, errorRatio: 0.005 },
      skipped: null,
      errorRatioChange: 8,
    });
    // Pooled p = 180 / 8,000 = 0.0225; se = √(0.0225 × 0.9775 × (1/4,000 + 1/4,000)) = 0.0033162; z = 0.035 / se = 10.554.
    expect(release.telemetry?.zScore).toBeCloseTo(10.554, 3);
    expect(release.telemetry?.pValue).toBeLessThan(1e-6);
    // Ratio 8 ≥ 3: rollback; its weight is 1 − p, at most 0.99.
    expect(release.signals).toEqual([
      {
        kind: 'error_ratio',
        severity: 'rollback',
        weight: 0.99,
        reason: 'error ratio 4.0 % (160 of 4,000 spans) against 0.5 % (20 of 4,000) for v1.4.0 in the 2 h before it: ×8.0, z = 10.6, p < 0.0001',
      },
    ]);
    expect(release.confidence).toEqual(0.99);
    expect(release.rollbackTarget?.id).toEqual('checkout-1.4.0');
  });

  it('a rise inside the noise of a tiny sample is not compared: healthy, and says why', () => {
    const release = judged('search-3');
    expect(release.verdict).toEqual('healthy');
    expect(release.telemetry).toMatchObject({ current: { spans: 40, errors: 1 }, previous: { spans: 40, errors: 0 }, zScore: null });
    expect(release.reasons).toEqual([
      'no incident, rollback, revert or failed health check in its 2 h observation window',
      'telemetry: too few spans to compare: 40 of this release and 40 of v2 in 2 h windows (at least 200 each)',
    ]);
    // Telemetry not compared: 0.1 + 1 × 0.6.
    expect(release.confidence).toEqual(0.7);
  });

  it('a doubling from 1 % to 2 % over 400 spans each is not significant: healthy', () => {
    const release = judged('cart-2');
    expect(release.verdict).toEqual('healthy');
    // Pooled p = 12 / 800 = 0.015; se = √(0.015 × 0.985 × 2/400) = 0.0085951; z = 0.01 / se = 1.1635; p = 1 − Φ(1.1635) = 0.1223 > 0.01.
    expect(release.telemetry?.zScore).toBeCloseTo(1.1635, 3);
    expect(release.telemetry?.pValue).toBeCloseTo(0.1223, 3);
    expect(release.signals).toEqual([]);
    expect(release.reasons[1]).toEqual(
      'telemetry: error ratio 2.0 % (8 of 400 spans) against 1.0 % (4 of 400) for 1 in the 2 h before it: ×2.0, z = 1.2, p = 0.1223; p95 latency 80 ms against 80 ms for 1 (×1.0): within thresholds',
    );
    // Compared and fine over the whole window: 0.1 + 0.85.
    expect(release.confidence).toEqual(0.95);
  });

  it('p95 latency 1.8 times the previous release is `watch`', () => {
    const release = judged('auth-2');
    expect(release.verdict).toEqual('watch');
    expect(release.telemetry).toMatchObject({ current: { p95Ms: 180 }, previous: { p95Ms: 100 }, latencyRatio: 1.8 });
    expect(release.signals).toEqual([{ kind: 'latency', severity: 'watch', weight: 0.5, reason: 'p95 latency 180 ms against 100 ms for a1 (×1.8)' }]);
    expect(release.rollbackTarget?.id).toEqual('auth-1');
  });

  it('spans match a release by commit prefix when it has no version, and the old exporter status spelling counts', () => {
    const release = judged('docs-2');
    expect(release.telemetry).toMatchObject({ current: { spans: 300, errors: 30 }, previous: { spans: 300, errors: 0 }, errorRatioChange: Number.POSITIVE_INFINITY });
    // Pooled p = 30 / 600 = 0.05; se = √(0.05 × 0.95 × 2/300) = 0.017795; z = 0.1 / se = 5.6195.
    expect(release.telemetry?.zScore).toBeCloseTo(5.6195, 3);
    expect(release.verdict).toEqual('rollback');
    expect(release.signals[0]?.reason).toContain('error ratio 10.0 % (30 of 300 spans) against 0.0 % (0 of 300) for docs-1 in the 2 h before it: from none');
  });

  it('a service name mapped in telemetry.serviceNames, thresholds and minimum samples come from the config', async () => {
    const strict = Config.parse({ telemetry: { minSpans: 30, serviceNames: { cart: 'checkout' } } });
    const evaluation = await evaluateReleases(store.client, { config: strict, since: now - 200 * minute, now, services: ['search', 'cart'] });
    const byId = new Map(evaluation.verdicts.map((item) => [item.release.id, item]));
    // 40 spans each now pass the minimum of 30: 1 of 40 against 0 of 40 is still noise (z = 1.0063, p = 0.157).
    expect(byId.get('search-3')?.telemetry?.skipped).toBeNull();
    expect(byId.get('search-3')?.telemetry?.zScore).toBeCloseTo(1.0063, 3);
    expect(byId.get('search-3')?.verdict).toEqual('healthy');
    // cart's releases read checkout's spans: versions 1 and 2 have none there.
    expect(byId.get('cart-2')?.telemetry).toMatchObject({ serviceName: 'checkout', current: { spans: 0 }, previous: { spans: 0 } });
  });

  it('no table where the config says: absent, never an error; an invalid table name is a config error naming the field', async () => {
    const elsewhere = Config.parse({ telemetry: { database: 'observability' } });
    const evaluation = await evaluateReleases(store.client, { config: elsewhere, since: now - 200 * minute, now, services: ['checkout'] });
    expect(evaluation.telemetry).toEqual({ table: null, absent: 'no table observability.otel_traces' });
    expect(evaluation.verdicts.find((item) => item.release.id === 'checkout-1.5.0')?.verdict).toEqual('healthy');
    const bad = Config.safeParse({ telemetry: { tracesTable: 'otel_traces; DROP TABLE x' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['telemetry', 'tracesTable']);
  });

  it("releases of one service are compared in one pass; a release's spans are also the next release's baseline", () => {
    const second = judged('stream-2');
    const third = judged('stream-3');
    expect(second.telemetry).toMatchObject({ window: { since: ago(now, 360), until: ago(now, 120) }, current: { spans: 600, errors: 6 }, previous: { spans: 600, errors: 6 } });
    // stream-3 has been out 120 min: its window so far [−120, 0) against st2's [−240, −120).
    expect(third.telemetry).toMatchObject({ window: { since: ago(now, 240), until: new Date(now).toISOString() }, current: { spans: 600, errors: 6 }, previous: second.telemetry?.current });
    expect([second.verdict, third.verdict]).toEqual(['healthy', 'healthy']);
  });

  it('the statistics: Φ and the two-proportion test', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-2.326348)).toBeCloseTo(0.01, 6);
    expect(twoProportionTest(0, 100, 0, 100)).toEqual({ z: 0, pValue: 0.5 });
  });
});

describe('dora releases with telemetry', () => {
  it('shows the telemetry comparison in the reasons and the JSON', async () => {
    await store.close();
    const result = await runCli(['--home', home, 'releases', '--service', 'checkout', '--flagged', '--format', 'json']);
    expect(result.code).toEqual(0);
    const output = result.json();
    expect(output.telemetry).toEqual({ table: 'otel.otel_traces', absent: null });
    expect(output.releases.map((item: { id: string }) => item.id)).toEqual(['checkout-1.5.0']);
    expect(output.releases[0].telemetry.current).toMatchObject({ spans: 4000, errors: 160 });
    expect(output.releases[0].reasons[0]).toMatch(/^error ratio 4\.0 % \(160 of 4,000 spans\) against 0\.5 %/);
  });
});
