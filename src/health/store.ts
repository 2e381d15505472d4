import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../derive/time.js';
import { insertRows } from '../store/insert.js';
import type { ReleaseVerdict } from './types.js';

export const verdictsTable = 'release_verdicts';

/** Store the latest verdict of each release (ReplacingMergeTree by evaluation time: re-running converges). */
export async function saveVerdicts(client: ClickHouseClient, scope: string, verdicts: readonly ReleaseVerdict[]): Promise<void> {
  const rows = verdicts.map((item) => ({
    scope,
    service: item.service,
    release_id: item.release.id,
    finished_at: chTime(item.release.finishedAt),
    environment: item.release.environment,
    version: item.release.version,
    sha: item.release.commitSha || item.release.sha,
    url: item.release.url,
    verdict: item.verdict,
    confidence: item.confidence,
    reasons: item.reasons,
    signals: JSON.stringify(item.signals),
    telemetry: item.telemetry ? JSON.stringify(item.telemetry) : '',
    window_end: chTime(item.window.until),
    window_complete: item.window.complete ? 1 : 0,
    state: item.state,
    replaced_by: item.replacedBy,
    rollback_to: item.rollbackTarget?.id ?? '',
    rollback_to_version: item.rollbackTarget?.version ?? '',
    rollback_to_sha: item.rollbackTarget?.sha ?? '',
    rollback_command: item.rollbackTarget?.command ?? '',
    evaluated_at: chTime(item.evaluatedAt),
  }));
  for (let start = 0; start < rows.length; start += 5000) await insertRows(client, verdictsTable, rows.slice(start, start + 5000));
}

/** Releases of these services judged `rollback` before (they are never a rollback target). */
export async function storedRollbacks(client: ClickHouseClient, scope: string, services: readonly string[]): Promise<Set<string>> {
  if (services.length === 0) return new Set();
  const result = await client.query({
    query: `SELECT release_id FROM ${verdictsTable} FINAL WHERE scope = {scope:String} AND service IN {services:Array(String)} AND verdict = 'rollback'`,
    query_params: { scope, services: [...services] },
    format: 'JSONEachRow',
  });
  return new Set((await result.json<{ release_id: string }>()).map((row) => row.release_id));
}
