import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { deriveMetrics, type DeriveSummary } from '../derive/run.js';
import { syncServiceTeams } from './catalog.js';

export interface RefreshSummary extends DeriveSummary {
  teams: { written: boolean; services: number };
}

/**
 * Bring what the dashboards read up to date: the catalog's teams and derive's tables (only
 * services whose events changed are derived again). Every derivation (dora report, check,
 * releases) keeps the teams in step as well. Grafana only reads; run this after
 * collecting, e.g. on the same schedule.
 */
export async function refreshDashboards(
  client: ClickHouseClient,
  options: { config: Config; environments?: string[]; onProgress?: (done: number, total: number, service: string) => void },
): Promise<RefreshSummary> {
  // First, so the summary says whether the teams changed (derive keeps them in step too, writing only on a change).
  const teams = await syncServiceTeams(client, options.config);
  const derived = await deriveMetrics(client, {
    config: options.config,
    ...(options.environments && options.environments.length > 0 ? { environments: options.environments } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...derived, teams };
}
