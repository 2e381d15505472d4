import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/schema.js';
import { shipChanges, shippedCommits, type RepoData } from './changes.js';
import { attributeIncidents } from './incidents.js';
import { deploymentOutcomes } from './outcomes.js';
import { scopeChangesToPaths } from './paths.js';
import { placeDeployment } from './placement.js';
import type { RepoCache } from './repos.js';
import { detectRollbacks } from './rollbacks.js';
import { candidateRepos, type KnownRepos } from './scope.js';
import type { IncidentInput, ManualLink, ProductionDeployment } from './types.js';
import type { DerivedRows } from './write.js';

export interface ServiceContext {
  client: ClickHouseClient;
  config: Config;
  /** Lower-cased production environment names. */
  environments: string[];
  windowMs: number;
  knownRepos: KnownRepos;
  repos: RepoCache;
  /** Any `dora link` / `dora unlink` decision in the store (none: no service needs to look). */
  overrides: boolean;
}


export async function rows<T>(client: ClickHouseClient, query: string, query_params: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, query_params, format: 'JSONCompactEachRow' });
  return result.json<T>();
}

/** The one number a query answers (a count, a maximum). */
export async function scalar(client: ClickHouseClient, query: string, query_params: Record<string, unknown>): Promise<number> {
  const [first] = await rows<[number]>(client, query, query_params);
  return Number(first?.[0] ?? 0);
}

/** Everything derive says about one service, from all of its history in the store. */
export async function deriveService(ctx: ServiceContext, service: string): Promise<DerivedRows> {
  const deployments = await loadDeployments(ctx, service);
  const incidents = await loadIncidents(ctx, service, deployments);
  const manual = await loadManualLinks(ctx, incidents);
  const elsewhere = await namedDeploymentsElsewhere(ctx, service, deployments, incidents, manual);

  const candidates = deployments.map((deployment) => candidateRepos(service, deployment.repo, ctx.config, ctx.knownRepos));
  const repos = new Map<string, RepoData>();
  for (const repo of new Set(candidates.flat())) repos.set(repo, await ctx.repos.get(repo));
  const placements = deployments.map((deployment, ordinal) => placeDeployment(deployment, candidates[ordinal] as string[], repos));

  const shipped = shipChanges(deployments, placements, repos);
  const { shipments, shippedBy } = shipped;
  // A monorepo service with `paths` in the catalog counts only the changes under them (issue 7).
  const changes = await scopeChangesToPaths(ctx.client, ctx.config, service, deployments, shipments, shipped.changes, repos);
  const rollbacks = detectRollbacks(deployments, placements, repos);
  const attribution = attributeIncidents(service, incidents, deployments, {
    elsewhere,
    windowMs: ctx.windowMs,
    manual,
    repos,
    shippedBy,
    rollbacks,
    shipments,
  });
  const own = incidents.filter((incident) => incident.service === service);
  return {
    deployments: deploymentOutcomes(deployments, placements, shipments, rollbacks, attribution.links, own),
    changes,
    incidents: attribution.rows,
    commits: shippedCommits(deployments, repos, shippedBy),
  };
}

/** The columns `toDeployment` reads, in its order. */
export const deploymentColumns = 'id, service, environment, toUnixTimestamp64Milli(finished_at), source, version, url, repo, sha, rollback_of';
export type DeploymentTuple = [string, string, string, number, string, string, string, string, string, string];

export const toDeployment = ([id, service, environment, finishedAt, source, version, url, repo, sha, rollbackOf]: DeploymentTuple): ProductionDeployment => ({
  id,
  service,
  environment,
  finishedAt: Number(finishedAt),
  source,
  version,
  url,
  repo,
  sha,
  rollbackOf,
});

async function loadDeployments(ctx: ServiceContext, service: string): Promise<ProductionDeployment[]> {
  const found = await rows<DeploymentTuple>(
    ctx.client,
    // The table is keyed by id: the service's ids first, so FINAL merges only their granules (10× at 1M deployments).
    `SELECT ${deploymentColumns}
     FROM deployments FINAL
     WHERE id IN (SELECT id FROM deployments WHERE service = {service:String})
       AND service = {service:String} AND status = 'success' AND lower(environment) IN {environments:Array(String)}
     ORDER BY finished_at, id`,
    { service, environments: ctx.environments },
  );
  return found.map(toDeployment);
}

/**
 * The service's incidents, and other services' incidents that name one of its deployments
 * or are linked to one by hand. Incidents a severity filter left out (`extra.ignored`) are
 * not incidents for DORA: they are skipped here (`dora doctor` lists them).
 */
async function loadIncidents(ctx: ServiceContext, service: string, deployments: ProductionDeployment[]): Promise<IncidentInput[]> {
  const found = await rows<[string, string, number, number | null, string, string, string, string, string]>(
    ctx.client,
    `SELECT id, service, toUnixTimestamp64Milli(opened_at), if(resolved_at IS NULL, NULL, toUnixTimestamp64Milli(resolved_at)),
            title, severity, deployment,
            concat(title, '\n', extra['description'], '\n', extra['fields']) AS text, extra['sha'] AS named_sha
     FROM incidents FINAL
     WHERE id IN (SELECT id FROM incidents WHERE service = {service:String} OR (deployment != '' AND deployment IN {ids:Array(String)})
                  UNION ALL SELECT incident FROM incident_link_overrides WHERE deployment IN {ids:Array(String)})
       AND (service = {service:String}
            OR (deployment != '' AND deployment IN {ids:Array(String)})
            OR id IN (SELECT incident FROM incident_link_overrides FINAL WHERE action = 'link' AND deployment IN {ids:Array(String)}))
       AND extra['ignored'] = ''
     ORDER BY opened_at, id`,
    { service, ids: deployments.map((deployment) => deployment.id) },
  );
  return found.map(([id, incidentService, openedAt, resolvedAt, title, severity, deployment, text, sha]) => ({
    id,
    service: incidentService,
    openedAt: Number(openedAt),
    resolvedAt: resolvedAt === null ? null : Number(resolvedAt),
    title,
    severity,
    deployment,
    text,
    sha: sha.toLowerCase(),
  }));
}

/** The decision in force per incident (`dora link` / `dora unlink`; a `reset` hands it back to the rules). */
async function loadManualLinks(ctx: ServiceContext, incidents: IncidentInput[]): Promise<Map<string, ManualLink>> {
  if (incidents.length === 0 || !ctx.overrides) return new Map();
  const found = await rows<[string, 'link' | 'unlink', string, string, string]>(
    ctx.client,
    `SELECT incident, action, deployment, author, note FROM incident_link_overrides FINAL
     WHERE action IN ('link', 'unlink') AND incident IN {ids:Array(String)}`,
    { ids: incidents.map((incident) => incident.id) },
  );
  return new Map(found.map(([incident, action, deployment, author, note]) => [incident, { action, deployment, author, note }]));
}

/** Deployment ids named by the service's incidents that are successful production deployments of another service. */
async function namedDeploymentsElsewhere(
  ctx: ServiceContext,
  service: string,
  deployments: ProductionDeployment[],
  incidents: IncidentInput[],
  manual: ReadonlyMap<string, ManualLink>,
): Promise<Map<string, string>> {
  const ours = new Set(deployments.map((deployment) => deployment.id));
  const targets = incidents
    .filter((incident) => incident.service === service)
    .flatMap((incident) => [incident.deployment, manual.get(incident.id)?.deployment ?? '']);
  const named = [...new Set(targets.filter((id) => id && !ours.has(id)))];
  if (named.length === 0) return new Map();
  const found = await rows<[string, string]>(
    ctx.client,
    `SELECT id, service FROM deployments FINAL
     WHERE id IN {ids:Array(String)} AND status = 'success' AND lower(environment) IN {environments:Array(String)}`,
    { ids: named, environments: ctx.environments },
  );
  return new Map(found);
}
