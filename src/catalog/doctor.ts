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
}

export async function incidentSources(client: ClickHouseClient): Promise<IncidentSourcesSection> {
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
  return {
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
  if (section.ignored.length > 0) {
    parts.push(
      '',
      'incidents ignored by the severity filter (stored, never counted):',
      table(['source', 'reason', 'incidents'], section.ignored.map((row) => [row.source, row.reason, row.incidents])),
    );
  }
  return parts;
}
