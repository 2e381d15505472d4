import type { ClickHouseClient } from '@clickhouse/client';
import { incidentExtra } from './severity.js';

/**
 * `dora doctor`'s section on incident sources: incidents kept under a service no catalog
 * entry lists (they still count, under the source's own name), and incidents a severity
 * filter left out (stored, never counted), with the reason.
 */
export interface IncidentSourcesSection {
  unmapped: { source: string; service: string; source_service: string; incidents: number }[];
  ignored: { source: string; reason: string; incidents: number }[];
  /**
   * With a catalog: deployments and incidents stored under a service the catalog does
   * not name (any source: a Heroku app, a repository, an import), so a missing entry is
   * visible; incidents already listed as `unmapped` are not repeated. Empty without a
   * catalog, where every service is a source's name.
   */
  outside_catalog: { kind: 'deployment' | 'incident'; source: string; service: string; rows: number }[];
}

export async function incidentSources(client: ClickHouseClient, catalogServices: readonly string[] = []): Promise<IncidentSourcesSection> {
  const query = async <T>(sql: string) => (await client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
  const unmapped = await query<{ source: string; service: string; source_service: string; incidents: string }>(
    `SELECT source, service, extra['${incidentExtra.sourceService}'] AS source_service, count() AS incidents
     FROM incidents FINAL WHERE extra['${incidentExtra.unmapped}'] = 'true'
     GROUP BY source, service, source_service ORDER BY source, service, source_service`,
  );
  const ignored = await query<{ source: string; reason: string; incidents: string }>(
    `SELECT source, extra['${incidentExtra.ignored}'] AS reason, count() AS incidents
     FROM incidents FINAL WHERE extra['${incidentExtra.ignored}'] != ''
     GROUP BY source, reason ORDER BY source, reason`,
  );
  const outside =
    catalogServices.length === 0
      ? []
      : (
          await client.query({
            query: `SELECT 'deployment' AS kind, source, service, count() AS rows FROM deployments FINAL WHERE service NOT IN {services:Array(String)} GROUP BY source, service
                    UNION ALL
                    SELECT 'incident' AS kind, source, service, count() AS rows FROM incidents FINAL
                    WHERE service NOT IN {services:Array(String)} AND extra['${incidentExtra.unmapped}'] != 'true' GROUP BY source, service
                    ORDER BY kind, source, service`,
            query_params: { services: [...catalogServices] },
            format: 'JSONEachRow',
          })
        ).json<{ kind: 'deployment' | 'incident'; source: string; service: string; rows: string }>();
  return {
    outside_catalog: (await outside).map((row) => ({ ...row, rows: Number(row.rows) })),
    unmapped: unmapped.map((row) => ({ ...row, incidents: Number(row.incidents) })),
    ignored: ignored.map((row) => ({ ...row, incidents: Number(row.incidents) })),
  };
}

type Table = (header: string[], rows: (string | number)[][]) => string;

/** Text lines for `dora doctor`; nothing when there is nothing to say. */
export function renderIncidentSources(section: IncidentSourcesSection, table: Table): string[] {
  const parts: string[] = [];
  if (section.unmapped.length > 0) {
    parts.push(
      '',
      'incidents on services in no catalog entry (kept under the source\'s name; add them to "services"):',
      table(['source', 'stored as', 'source service', 'incidents'], section.unmapped.map((row) => [row.source, row.service, row.source_service, row.incidents])),
    );
  }
  if (section.outside_catalog.length > 0) {
    parts.push(
      '',
      'services in no catalog entry (named after their source; add them to "services" to set their team and links):',
      table(['kind', 'source', 'service', 'rows'], section.outside_catalog.map((row) => [row.kind, row.source, row.service, row.rows])),
    );
  }
  if (section.ignored.length > 0) {
    parts.push(
      '',
      'incidents ignored by the severity filter (stored, never counted):',
      table(['source', 'reason', 'incidents'], section.ignored.map((row) => [row.source, row.reason, row.incidents])),
    );
  }
  return parts;
}
