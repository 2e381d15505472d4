import type { ClickHouseClient } from '@clickhouse/client';
import { incidentSources, type IncidentSourcesSection } from '../catalog/doctor.js';
import type { EventKind } from '../events/schemas.js';
import { fromClickHouseTime } from '../events/time.js';
import { latestSchemaVersion, tables } from '../store/schema.js';

/** What the store holds: per kind, per source and service (or repo), the time span, and the last runs. */
export interface DoctorReport {
  schema_version: number;
  kinds: Record<EventKind, KindSummary>;
  deployments_by_environment: { environment: string; status: string; rows: number }[];
  runs: RunSummary[];
  /** Incidents on services no catalog entry lists, and those a severity filter left out (issue 7). */
  incident_sources: IncidentSourcesSection;
}

export interface KindSummary {
  rows: number;
  first: string | null;
  last: string | null;
  /** `group` is the service for deployments and incidents, the repository for commits and pull requests. */
  by_source: { source: string; group: string; rows: number; first: string | null; last: string | null }[];
}

export interface RunSummary {
  source: string;
  scope: string;
  finished_at: string;
  status: string;
  accepted: number;
  rejected: number;
  message: string;
}

const kindTables: Record<EventKind, { table: string; group: string; time: string }> = {
  commit: { table: tables.commits, group: 'repo', time: 'authored_at' },
  pull_request: { table: tables.pullRequests, group: 'repo', time: 'created_at' },
  deployment: { table: tables.deployments, group: 'service', time: 'finished_at' },
  incident: { table: tables.incidents, group: 'service', time: 'opened_at' },
};

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

const time = (value: string | null) => (value ? fromClickHouseTime(value) : null);

/** `catalogServices`: the service names of the config's catalog, to list the services outside it. */
export async function doctorReport(client: ClickHouseClient, catalogServices: readonly string[] = []): Promise<DoctorReport> {
  const kinds = {} as Record<EventKind, KindSummary>;
  for (const [kind, spec] of Object.entries(kindTables) as [EventKind, (typeof kindTables)[EventKind]][]) {
    const groups = await rows<{ source: string; grp: string; rows: number; first: string | null; last: string | null }>(
      client,
      `SELECT source, ${spec.group} AS grp, count() AS rows,
              toString(min(${spec.time})) AS first, toString(max(${spec.time})) AS last
       FROM ${spec.table} FINAL GROUP BY source, grp ORDER BY source, grp`,
    );
    const firsts = groups.map((group) => group.first).filter((value): value is string => Boolean(value)).sort();
    const lasts = groups.map((group) => group.last).filter((value): value is string => Boolean(value)).sort();
    kinds[kind] = {
      rows: groups.reduce((sum, group) => sum + Number(group.rows), 0),
      first: time(firsts[0] ?? null),
      last: time(lasts.at(-1) ?? null),
      by_source: groups.map((group) => ({
        source: group.source,
        group: group.grp,
        rows: Number(group.rows),
        first: time(group.first),
        last: time(group.last),
      })),
    };
  }
  const deployments_by_environment = (
    await rows<{ environment: string; status: string; rows: number }>(
      client,
      `SELECT environment, status, count() AS rows FROM ${tables.deployments} FINAL
       GROUP BY environment, status ORDER BY environment, status`,
    )
  ).map((row) => ({ ...row, rows: Number(row.rows) }));
  const runs = (
    await rows<Omit<RunSummary, 'finished_at'> & { last_finished: string }>(
      client,
      `SELECT source, argMax(scope, finished_at) AS last_scope, toString(max(finished_at)) AS last_finished,
              argMax(status, finished_at) AS last_status, argMax(accepted, finished_at) AS last_accepted,
              argMax(rejected, finished_at) AS last_rejected, argMax(message, finished_at) AS last_message
       FROM ${tables.runs} FINAL GROUP BY source ORDER BY source`,
    )
  ).map((run: Record<string, unknown>) => ({
    source: String(run.source),
    scope: String(run.last_scope),
    finished_at: fromClickHouseTime(String(run.last_finished)),
    status: String(run.last_status),
    accepted: Number(run.last_accepted),
    rejected: Number(run.last_rejected),
    message: String(run.last_message),
  }));
  return { schema_version: latestSchemaVersion, kinds, deployments_by_environment, runs, incident_sources: await incidentSources(client, catalogServices) };
}
