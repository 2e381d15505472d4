import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { deriveMetrics, type DeriveSummary } from '../derive/run.js';
import { syncServiceTeams } from './catalog.js';

export interface RefreshSummary extends DeriveSummary {
  teams: { written: boolean; services: number };
}

/**
 * Bring what the dashboards read up to date: derive's tables (only services whose events
 * changed are derived again) and the catalog's teams. Grafana only reads; run this after
 * collecting, e.g. on the same schedule.
 */
export async function refreshDashboards(
  client: ClickHouseClient,
  options: { config: Config; environments?: string[]; onProgress?: (done: number, total: number, service: string) => void },
): Promise<RefreshSummary> {
  const derived = await deriveMetrics(client, {
    config: options.config,
    ...(options.environments && options.environments.length > 0 ? { environments: options.environments } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const teams = await syncServiceTeams(client, options.config);
  return { ...derived, teams };
}
