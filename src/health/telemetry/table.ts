import type { ClickHouseClient } from '@clickhouse/client';
import type { TelemetrySection } from '../config.js';

/** The exporter's traces table as found in this ClickHouse, with the SQL to read its attributes. */
export interface TracesTable {
  /** `otel.otel_traces`, quoted for SQL. */
  sql: string;
  /** Fit to print: `otel.otel_traces`. */
  name: string;
  /** `service.version` of a span. */
  version: string;
  /** The span's deployment environment, lower-cased ('' when it has none). */
  environment: string;
  hasSpanKind: boolean;
  /** A per-span value that makes the p95 sample deterministic. */
  sampleKey: string;
}

const REQUIRED = ['Timestamp', 'ServiceName', 'ResourceAttributes', 'Duration', 'StatusCode'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Finds the traces table in `telemetry.database` (apis.md §6). Absent, or without the
 * exporter's columns: `reason` says why, and the telemetry signal is simply absent.
 * `ResourceAttributes` is a Map in the exporter's default schema and JSON with its JSON
 * option (read through `system.columns`), so both are read.
 */
export async function findTracesTable(client: ClickHouseClient, section: TelemetrySection): Promise<{ table: TracesTable } | { reason: string }> {
  const name = `${section.database}.${section.tracesTable}`;
  // Validated by the config schema too; checked again because these go into SQL text.
  if (!IDENTIFIER.test(section.database) || !IDENTIFIER.test(section.tracesTable)) return { reason: `invalid table name ${JSON.stringify(name)}` };
  const result = await client.query({
    query: 'SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    query_params: { database: section.database, table: section.tracesTable },
    format: 'JSONEachRow',
  });
  const columns = new Map((await result.json<{ name: string; type: string }>()).map((column) => [column.name, column.type]));
  if (columns.size === 0) return { reason: `no table ${name}` };
  const missing = REQUIRED.filter((column) => !columns.has(column));
  if (missing.length > 0) return { reason: `${name} lacks the exporter's columns ${missing.join(', ')}` };
  const json = /^JSON|Object\(/i.test(columns.get('ResourceAttributes') ?? '');
  const attribute = (key: string) => (json ? `toString(ResourceAttributes.\`${key}\`)` : `ResourceAttributes['${key}']`);
  // `deployment.environment.name` is the stable name; many SDKs still send the deprecated `deployment.environment`.
  const environment = `lower(if(${attribute('deployment.environment.name')} != '', ${attribute('deployment.environment.name')}, ${attribute('deployment.environment')}))`;
  return {
    table: {
      sql: `\`${section.database}\`.\`${section.tracesTable}\``,
      name,
      version: attribute('service.version'),
      environment,
      hasSpanKind: columns.has('SpanKind'),
      sampleKey: columns.has('SpanId') ? 'cityHash64(SpanId)' : 'cityHash64(Timestamp, Duration)',
    },
  };
}
