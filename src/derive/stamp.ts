import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { nowIso, toClickHouseTime } from '../events/time.js';
import { insertRows } from '../store/insert.js';

const table = 'derive_stamps';

/**
 * What every derivation of a scope depends on, in one cheap read: per input table its row
 * count (kept by the engine) and latest ingestion time (one column scanned), and the settings.
 * Unchanged since the last complete check means no service can have changed.
 */
export async function storeStamp(client: ClickHouseClient, settings: { version: number; environments: string[]; windowMs: number; config: Config }): Promise<string> {
  const result = await client.query({
    query: `SELECT
      (SELECT (count(), toString(max(ingested_at))) FROM deployments),
      (SELECT (count(), toString(max(ingested_at))) FROM incidents),
      (SELECT (count(), toString(max(ingested_at))) FROM commits),
      (SELECT (count(), toString(max(ingested_at))) FROM pull_requests),
      (SELECT (count(), toString(max(at))) FROM incident_link_overrides)`,
    format: 'JSONCompactEachRow',
  });
  const [tables] = await result.json<unknown[]>();
  // The catalog decides repositories, monorepo paths and teams.
  return JSON.stringify({ ...settings, config: settings.config.services, tables });
}

export async function lastStamp(client: ClickHouseClient, scope: string): Promise<string | undefined> {
  const result = await client.query({
    query: `SELECT stamp FROM ${table} FINAL WHERE scope = {scope:String}`,
    query_params: { scope },
    format: 'JSONCompactEachRow',
  });
  return (await result.json<[string]>())[0]?.[0];
}

export async function saveStamp(client: ClickHouseClient, scope: string, stamp: string): Promise<void> {
  await insertRows(client, table, [{ scope, stamp, at: toClickHouseTime(nowIso()) }]);
}
