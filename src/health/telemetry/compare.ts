import type { ClickHouseClient } from '@clickhouse/client';
import { chTime, humanDuration } from '../../derive/time.js';
import type { TelemetrySection } from '../config.js';
import type { Release, Signal, TelemetryComparison, TelemetrySide } from '../types.js';
import { twoProportionTest } from './stats.js';
import type { TracesTable } from './table.js';

export interface CompareInput {
  release: Release;
  previous: Release;
  /** The window compared: from the release's finish to here (the observation window so far). */
  until: number;
  /** Production environment names, lower-cased: spans of another environment are left out. */
  environments: readonly string[];
}

const side = (spans: number, errors: number, p95Ns: number | null): TelemetrySide => ({
  spans,
  errors,
  errorRatio: spans > 0 ? errors / spans : null,
  p95Ms: spans > 0 && p95Ns !== null ? Number(p95Ns) / 1e6 : null,
});

const commitOf = (release: Release) => {
  const sha = (release.commitSha || release.sha).toLowerCase();
  return sha.length >= 7 ? sha : '';
};

/**
 * For each release of one service: its spans in [finish, until) against the previous
 * release's spans in the window of the same length just before the finish. A span
 * belongs to a release when its `service.version` is the release's version, or its
 * commit (full or a 7+ prefix).
 *
 * One query per service, not per release: the windows travel as parallel arrays and
 * each span is matched against them (`arrayFilter` over the service's few dozen
 * windows; a span can count in two, as the new version of one release and the
 * previous version of the next). The scan is filtered on the table's sort key
 * (ServiceName) and time. The p95 is `quantileDeterministic` over a bounded sample
 * keyed by the span id: flat memory on busy services, the same answer every run.
 */
export async function compareTelemetry(client: ClickHouseClient, table: TracesTable, section: TelemetrySection, inputs: readonly CompareInput[]): Promise<TelemetryComparison[]> {
  if (inputs.length === 0) return [];
  const service = inputs[0]!.release.service;
  const serviceName = section.serviceNames[service] ?? service;
  // Window 2i + 1 is release i's own, 2i + 2 its predecessor's (ClickHouse arrays count from 1).
  const windows = inputs.flatMap(({ release, previous, until }) => {
    const length = until - release.finishedAt;
    return [
      { from: release.finishedAt, to: until, version: release.version, sha: commitOf(release) },
      { from: release.finishedAt - length, to: release.finishedAt, version: previous.version, sha: commitOf(previous) },
    ];
  });
  const kinds = table.hasSpanKind && section.spanKinds.length > 0 ? 'AND SpanKind IN {kinds:Array(String)}' : '';
  const result = await client.query({
    query: `SELECT w, count() AS spans, countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS errors,
                   quantileDeterministic(0.95)(Duration, sample) AS p95
            FROM (
              SELECT Duration, StatusCode, ${table.sampleKey} AS sample, toUnixTimestamp64Milli(Timestamp) AS ms, ${table.version} AS v,
                     arrayJoin(arrayFilter(i -> ms >= {froms:Array(Int64)}[i] AND ms < {tos:Array(Int64)}[i]
                       AND ((v = {versions:Array(String)}[i] AND {versions:Array(String)}[i] != '')
                         OR ({shas:Array(String)}[i] != '' AND length(v) >= 7 AND (startsWith(lower(v), {shas:Array(String)}[i]) OR startsWith({shas:Array(String)}[i], lower(v))))),
                       range(1, {windows:UInt32} + 1))) AS w
              FROM ${table.sql}
              WHERE ServiceName = {service:String}
                AND Timestamp >= {since:DateTime64(3, 'UTC')} AND Timestamp < {until:DateTime64(3, 'UTC')}
                ${kinds}
                AND (${table.environment} = '' OR ${table.environment} IN {environments:Array(String)})
            )
            GROUP BY w`,
    query_params: {
      froms: windows.map((window) => window.from),
      tos: windows.map((window) => window.to),
      versions: windows.map((window) => window.version),
      shas: windows.map((window) => window.sha),
      windows: windows.length,
      service: serviceName,
      since: chTime(Math.min(...windows.map((window) => window.from))),
      until: chTime(Math.max(...windows.map((window) => window.to))),
      kinds: section.spanKinds,
      environments: [...inputs[0]!.environments],
    },
    format: 'JSONEachRow',
  });
  const found = new Map((await result.json<{ w: number; spans: number; errors: number; p95: number | null }>()).map((row) => [Number(row.w), row]));
  return inputs.map((input, index) => judgeWindows(input, serviceName, table, section, found.get(2 * index + 1), found.get(2 * index + 2)));
}

type WindowRow = { spans: number; errors: number; p95: number | null } | undefined;

function judgeWindows(input: CompareInput, serviceName: string, table: TracesTable, section: TelemetrySection, current: WindowRow, before: WindowRow): TelemetryComparison {
  const { release, previous, until } = input;
  const length = until - release.finishedAt;
  const comparison: TelemetryComparison = {
    table: table.name,
    serviceName,
    window: { since: new Date(release.finishedAt - length).toISOString(), until: new Date(until).toISOString(), seconds: length / 1000 },
    previousRelease: previous.id,
    current: side(Number(current?.spans ?? 0), Number(current?.errors ?? 0), current?.p95 ?? null),
    previous: side(Number(before?.spans ?? 0), Number(before?.errors ?? 0), before?.p95 ?? null),
    skipped: null,
    errorRatioChange: null,
    zScore: null,
    pValue: null,
    latencyRatio: null,
  };
  if (comparison.current.spans < section.minSpans || comparison.previous.spans < section.minSpans) {
    comparison.skipped = `too few spans to compare: ${comparison.current.spans.toLocaleString('en-US')} of this release and ${comparison.previous.spans.toLocaleString('en-US')} of ${previous.version || previous.id} in ${humanDuration(length / 1000)} windows (at least ${section.minSpans.toLocaleString('en-US')} each)`;
    return comparison;
  }
  const test = twoProportionTest(comparison.current.errors, comparison.current.spans, comparison.previous.errors, comparison.previous.spans);
  const p1 = comparison.current.errorRatio as number;
  const p0 = comparison.previous.errorRatio as number;
  comparison.errorRatioChange = p0 > 0 ? p1 / p0 : p1 > 0 ? Number.POSITIVE_INFINITY : 1;
  comparison.zScore = test.z;
  comparison.pValue = test.pValue;
  const { p95Ms: newP95 } = comparison.current;
  const { p95Ms: oldP95 } = comparison.previous;
  comparison.latencyRatio = newP95 !== null && oldP95 !== null && oldP95 > 0 ? newP95 / oldP95 : null;
  return comparison;
}

const percent = (ratio: number | null) => (ratio === null ? 'n/a' : `${(ratio * 100).toFixed(1)} %`);
const times = (ratio: number) => (Number.isFinite(ratio) ? `×${ratio.toFixed(1)}` : 'from none');
const pText = (p: number) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);
const ms = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value).toLocaleString('en-US')} ms`);

/** The signals a comparison gives (none when it was skipped or nothing changed enough), and one line saying what was seen. */
export function telemetrySignals(comparison: TelemetryComparison, section: TelemetrySection, previousLabel: string): { signals: Signal[]; note: string } {
  if (comparison.skipped) return { signals: [], note: `telemetry: ${comparison.skipped}` };
  const { current, previous } = comparison;
  const windowText = humanDuration(comparison.window.seconds);
  const signals: Signal[] = [];
  const change = comparison.errorRatioChange as number;
  const pValue = comparison.pValue as number;
  const errorText = `error ratio ${percent(current.errorRatio)} (${current.errors.toLocaleString('en-US')} of ${current.spans.toLocaleString('en-US')} spans) against ${percent(previous.errorRatio)} (${previous.errors.toLocaleString('en-US')} of ${previous.spans.toLocaleString('en-US')}) for ${previousLabel} in the ${windowText} before it: ${times(change)}, z = ${(comparison.zScore as number).toFixed(1)}, ${pText(pValue)}`;
  const significant = pValue < section.significance && (current.errorRatio as number) >= section.minErrorRate;
  if (significant && change >= section.errorRatio.watch) {
    signals.push({
      kind: 'error_ratio',
      severity: change >= section.errorRatio.rollback ? 'rollback' : 'watch',
      weight: Math.min(0.99, 1 - pValue),
      reason: errorText,
    });
  }
  const latency = comparison.latencyRatio;
  const latencyText = `p95 latency ${ms(current.p95Ms)} against ${ms(previous.p95Ms)} for ${previousLabel}${latency === null ? '' : ` (${times(latency)})`}`;
  if (latency !== null && latency >= section.latencyRatio.watch) {
    const rollback = latency >= section.latencyRatio.rollback;
    signals.push({ kind: 'latency', severity: rollback ? 'rollback' : 'watch', weight: rollback ? 0.75 : 0.5, reason: latencyText });
  }
  const calm = [signals.some((signal) => signal.kind === 'error_ratio') ? '' : errorText, signals.some((signal) => signal.kind === 'latency') ? '' : latencyText].filter(Boolean);
  return { signals, note: calm.length > 0 ? `telemetry: ${calm.join('; ')}: within thresholds` : '' };
}
