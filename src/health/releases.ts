import type { ClickHouseClient } from '@clickhouse/client';
import { currentViews } from '../derive/write.js';
import { chTime } from '../derive/time.js';
import type { DerivedDeploymentRow } from '../derive/types.js';
import type { Release } from './types.js';

/** How far before the first evaluated release the history is read (for the previous release and the rollback target). */
export const HISTORY_DAYS = 90;

/** A `current_deployments` row as read here: the derived row's columns, the finish time in epoch milliseconds. */
type Row = Pick<
  DerivedDeploymentRow,
  | 'service'
  | 'id'
  | 'environment'
  | 'source'
  | 'version'
  | 'url'
  | 'repo'
  | 'sha'
  | 'commit_sha'
  | 'failed'
  | 'incidents'
  | 'rolled_back_by'
  | 'rollback_method'
  | 'is_rollback'
  | 'reverted_by'
> & { finished_ms: number };

const toRelease = (row: Row): Release => ({
  service: row.service,
  id: row.id,
  finishedAt: Number(row.finished_ms),
  environment: row.environment,
  source: row.source,
  version: row.version,
  url: row.url,
  repo: row.repo,
  sha: row.sha,
  commitSha: row.commit_sha,
  failed: Number(row.failed) === 1,
  incidents: row.incidents,
  rolledBackBy: row.rolled_back_by,
  rollbackMethod: row.rollback_method === 'explicit' || row.rollback_method === 'inferred' ? row.rollback_method : '',
  isRollback: Number(row.is_rollback) === 1,
  revertedBy: row.reverted_by,
});

export interface ReleaseSelection {
  /** Derive's scope (the production environment names). */
  scope: string;
  /** Evaluate the releases finished at or after this (epoch ms)... */
  since: number;
  /** ...and these, whenever they finished (releases whose alert still waits for a resolution). */
  include: readonly string[];
  services?: readonly string[] | undefined;
}

/**
 * Production releases per service from derive's `current_deployments`, in shipping order
 * (finished_at, then id: derive's order), from HISTORY_DAYS before the selection on, so
 * every evaluated release has its predecessor and a rollback target to look for.
 * Returns the histories and the ids to evaluate.
 */
export async function loadReleases(client: ClickHouseClient, selection: ReleaseSelection): Promise<{ histories: Map<string, Release[]>; evaluate: Set<string> }> {
  const serviceFilter = selection.services && selection.services.length > 0 ? 'AND service IN {services:Array(String)}' : '';
  const params = { scope: selection.scope, since: chTime(selection.since), ids: [...selection.include], services: [...(selection.services ?? [])] };
  const wanted = await client.query({
    query: `SELECT service, id, toUnixTimestamp64Milli(finished_at) AS finished_ms FROM ${currentViews.deployments}
            WHERE scope = {scope:String} AND (finished_at >= {since:DateTime64(3, 'UTC')} OR id IN {ids:Array(String)}) ${serviceFilter}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const selected = await wanted.json<{ service: string; id: string; finished_ms: number }>();
  const evaluate = new Set(selected.map((row) => row.id));
  const histories = new Map<string, Release[]>();
  if (selected.length === 0) return { histories, evaluate };
  const from = Math.min(...selected.map((row) => Number(row.finished_ms))) - HISTORY_DAYS * 86_400_000;
  const result = await client.query({
    query: `SELECT service, id, toUnixTimestamp64Milli(finished_at) AS finished_ms, environment, source, version, url, repo, sha, commit_sha,
                   failed, incidents, rolled_back_by, rollback_method, is_rollback, reverted_by
            FROM ${currentViews.deployments}
            WHERE scope = {scope:String} AND service IN {services:Array(String)} AND finished_at >= {from:DateTime64(3, 'UTC')}
            ORDER BY service, finished_at, id`,
    query_params: { scope: selection.scope, services: [...new Set(selected.map((row) => row.service))], from: chTime(from) },
    format: 'JSONEachRow',
  });
  for (const row of await result.json<Row>()) {
    let list = histories.get(row.service);
    if (!list) histories.set(row.service, (list = []));
    list.push(toRelease(row));
  }
  return { histories, evaluate };
}
