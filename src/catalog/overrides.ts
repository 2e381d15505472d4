import type { ClickHouseClient } from '@clickhouse/client';
import { AgentError, ExitCode } from '../errors.js';
import { fromClickHouseTime, nowIso, toClickHouseTime } from '../events/time.js';
import { insertRows } from '../store/insert.js';

/**
 * Manual incident ↔ deployment links (`dora link`, `dora unlink`), stored in their own
 * table (migration 5) so that a later collection, which rewrites the incident, never
 * undoes them. The latest decision per incident wins; derive honours it before any
 * automatic rule. Written here rather than in src/store/writer.ts because the table is
 * this feature's own, and the writes are single rows.
 */

export const OVERRIDES_TABLE = 'incident_link_overrides';

export type OverrideAction = 'link' | 'unlink' | 'reset';

export interface LinkOverride {
  incident: string;
  action: OverrideAction;
  /** The deployment linked (`link`), or the one an `unlink`/`reset` took the link from (else empty). */
  deployment: string;
  note: string;
  author: string;
  at: string;
}

async function rows<T>(client: ClickHouseClient, query: string, query_params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
}

/** Not found: the id, and the stored ids that look closest, so a typo is easy to fix. */
async function notFound(client: ClickHouseClient, table: 'incidents' | 'deployments', id: string): Promise<AgentError> {
  const tail = id.split(/[:#]/).at(-1) ?? id;
  const similar = await rows<{ id: string }>(
    client,
    `SELECT id FROM ${table} FINAL WHERE positionCaseInsensitive(id, {tail:String}) > 0 ORDER BY id LIMIT 5`,
    { tail },
  );
  const what = table === 'incidents' ? 'incident' : 'deployment';
  return new AgentError('not_found', `no ${what} ${JSON.stringify(id)} in the store`, {
    exitCode: ExitCode.usage,
    suggestion: similar.length
      ? `did you mean ${similar.map((row) => row.id).join(', ')}?`
      : `ids are stored with their source prefix (pagerduty:Q1ABC, heroku:shop-prod:v42); \`dora doctor\` lists what the store holds`,
  });
}

async function exists(client: ClickHouseClient, table: 'incidents' | 'deployments', id: string): Promise<boolean> {
  const found = await rows<{ n: string }>(client, `SELECT count() AS n FROM ${table} WHERE id = {id:String}`, { id });
  return Number(found[0]?.n ?? 0) > 0;
}

export interface DecisionOptions {
  note?: string | undefined;
  author?: string | undefined;
  clock?: () => number;
}

async function record(client: ClickHouseClient, override: Omit<LinkOverride, 'at'>, clock?: () => number): Promise<LinkOverride> {
  const at = nowIso(clock);
  await insertRows(client, OVERRIDES_TABLE, [{ ...override, at: toClickHouseTime(at) }]);
  return { ...override, at };
}

/**
 * `dora link INCIDENT DEPLOYMENT`: both must be in the store. The decision is kept in any
 * case; `warnings` say when it will not count (an incident a severity filter ignores, a
 * deployment that is not a successful production one).
 */
export async function linkIncident(
  client: ClickHouseClient,
  incident: string,
  deployment: string,
  options: DecisionOptions & { production?: readonly string[] } = {},
): Promise<LinkOverride & { warnings: string[] }> {
  if (!(await exists(client, 'incidents', incident))) throw await notFound(client, 'incidents', incident);
  if (!(await exists(client, 'deployments', deployment))) throw await notFound(client, 'deployments', deployment);
  const warnings: string[] = [];
  const [facts] = await rows<{ ignored: string }>(client, `SELECT extra['ignored'] AS ignored FROM incidents FINAL WHERE id = {id:String}`, { id: incident });
  if (facts?.ignored) warnings.push(`incident ${incident} is left out by a severity filter (${facts.ignored}): the link counts once the filter keeps it`);
  const [target] = await rows<{ environment: string; status: string }>(client, `SELECT environment, status FROM deployments FINAL WHERE id = {id:String}`, { id: deployment });
  const production = (options.production ?? ['production', 'prod']).map((name) => name.toLowerCase());
  if (target && (target.status !== 'success' || !production.includes(target.environment.toLowerCase()))) {
    warnings.push(`deployment ${deployment} is not a successful production deployment (status ${target.status}, environment ${target.environment}): it cannot count as failed`);
  }
  const override = await record(client, { incident, action: 'link', deployment, note: options.note ?? '', author: options.author ?? '' }, options.clock);
  return { ...override, warnings };
}

/**
 * `dora unlink INCIDENT`: no deployment caused it; with `reset`, forget any decision
 * (automatic linking again). The row keeps the deployment of the link it replaces, so
 * that deployment's service is derived again too.
 */
export async function unlinkIncident(client: ClickHouseClient, incident: string, options: DecisionOptions & { reset?: boolean } = {}): Promise<LinkOverride> {
  if (!(await exists(client, 'incidents', incident))) throw await notFound(client, 'incidents', incident);
  const action: OverrideAction = options.reset ? 'reset' : 'unlink';
  const before = (await currentOverrides(client, [incident])).get(incident);
  const replaced = before?.action === 'link' ? before.deployment : '';
  return record(client, { incident, action, deployment: replaced, note: options.note ?? '', author: options.author ?? '' }, options.clock);
}

/** The decision in force per incident (a `reset` is none). */
export async function currentOverrides(client: ClickHouseClient, incidents?: readonly string[]): Promise<Map<string, LinkOverride>> {
  const found = await rows<LinkOverride>(
    client,
    `SELECT incident, action, deployment, note, author, toString(at) AS at FROM ${OVERRIDES_TABLE} FINAL
     WHERE action != 'reset' ${incidents ? 'AND incident IN {incidents:Array(String)}' : ''} ORDER BY incident`,
    incidents ? { incidents } : {},
  );
  return new Map(found.map((row) => [row.incident, { ...row, at: fromClickHouseTime(row.at) }]));
}

/**
 * Per service, the count and latest time of the decisions touching it (through the
 * incident or the deployment), for derive's fingerprint: a decision derives again just
 * the services it concerns.
 */
export async function overrideStatsByService(client: ClickHouseClient): Promise<Map<string, [number, string]>> {
  const found = await rows<{ service: string; n: string; latest: string }>(
    client,
    `SELECT service, count() AS n, toString(max(at)) AS latest FROM (
       SELECT o.at AS at, i.service AS service FROM ${OVERRIDES_TABLE} AS o
       INNER JOIN (SELECT DISTINCT id, service FROM incidents WHERE id IN (SELECT incident FROM ${OVERRIDES_TABLE})) AS i ON o.incident = i.id
       UNION ALL
       SELECT o.at AS at, d.service AS service FROM ${OVERRIDES_TABLE} AS o
       INNER JOIN (SELECT DISTINCT id, service FROM deployments WHERE id IN (SELECT deployment FROM ${OVERRIDES_TABLE} WHERE deployment != '')) AS d ON o.deployment = d.id
     ) GROUP BY service`,
  );
  return new Map(found.map((row) => [row.service, [Number(row.n), row.latest]]));
}

/** Every decision in force, newest first, for `dora link --list`. */
export async function listOverrides(client: ClickHouseClient): Promise<LinkOverride[]> {
  return [...(await currentOverrides(client)).values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
