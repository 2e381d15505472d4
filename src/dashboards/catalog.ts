import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { nowIso, toClickHouseTime } from '../events/time.js';
import { insertRows } from '../store/insert.js';

/**
 * The service catalog's owners (`services.<name>.team` in the config) as a table, so the
 * dashboards' `team` variable reads the same teams `dora report --team` uses. Grafana
 * sees only ClickHouse, never the config file: the agent writes this on `dora dashboards
 * refresh` (and whenever it derives). A write replaces the whole mapping: every row shares
 * its `run`, and `current_service_teams` shows the latest run only.
 */

export const serviceTeamsTable = 'service_teams';

export interface ServiceTeam {
  service: string;
  /** '' for a service the catalog gives no team. */
  team: string;
}

/** The catalog's services with their teams, sorted by service. */
export function catalogTeams(config: Pick<Config, 'services'>): ServiceTeam[] {
  return Object.entries(config.services)
    .map(([service, entry]) => ({ service, team: entry.team ?? '' }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

export async function storedTeams(client: ClickHouseClient): Promise<ServiceTeam[]> {
  const result = await client.query({ query: "SELECT service, team FROM current_service_teams WHERE service != '' ORDER BY service", format: 'JSONEachRow' });
  return result.json<ServiceTeam>();
}

/** Write the catalog's teams when they differ from what is stored; returns whether it wrote. */
export async function syncServiceTeams(client: ClickHouseClient, config: Pick<Config, 'services'>): Promise<{ written: boolean; services: number }> {
  const wanted = catalogTeams(config);
  const stored = await storedTeams(client);
  if (JSON.stringify(stored) === JSON.stringify(wanted)) return { written: false, services: wanted.length };
  // Unique and increasing: the newest write wins however often it runs.
  const run = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  const writtenAt = toClickHouseTime(nowIso());
  // An empty catalog still needs a run of its own, or the previous mapping would stay current.
  const rows = wanted.length > 0 ? wanted : [{ service: '', team: '' }];
  await insertRows(client, serviceTeamsTable, rows.map((row) => ({ ...row, run, written_at: writtenAt })));
  return { written: true, services: wanted.length };
}
