import type { ClickHouseClient } from '@clickhouse/client';
import { ServiceCatalog } from '../catalog/catalog.js';
import type { Config } from '../config/schema.js';
import type { RepoData, Shipment } from './changes.js';
import type { DerivedChangeRow, ProductionDeployment } from './types.js';

/**
 * Monorepos (DESIGN.md §6, issue 7): a service whose catalog entry has `paths` globs
 * (`services/api/**`) counts only the changes that touch them, so two services
 * deploying the same repository do not each count the other's pull requests. A change's
 * paths are those of its commits, from a commit event's `extra.paths` (a JSON array of
 * repository-relative paths, e.g. from `dora import`; the git and GitHub collectors do
 * not record them yet). A change is dropped only when every one of its commits has
 * known paths and none touches the service's globs: without paths nothing says it is
 * another service's.
 */
export async function scopeChangesToPaths(
  client: ClickHouseClient,
  config: Config,
  service: string,
  deployments: readonly ProductionDeployment[],
  shipments: Shipment[],
  changes: DerivedChangeRow[],
  repos: ReadonlyMap<string, RepoData>,
): Promise<DerivedChangeRow[]> {
  if (!config.services[service]?.paths.length || changes.length === 0) return changes;
  const catalog = ServiceCatalog.of(config);
  // Per change: the commits whose paths decide it.
  const shasOf = changes.map((change) => {
    if (change.kind === 'commit') return [change.change_key.split('@').at(-1) as string];
    const pr = repos.get(change.repo)?.prs.prs.find((candidate) => candidate.number === change.pr_number);
    return pr ? [...pr.commits, ...(pr.mergeSha ? [pr.mergeSha] : [])] : [];
  });
  const byRepo = new Map<string, Set<string>>();
  changes.forEach((change, position) => {
    const set = byRepo.get(change.repo) ?? new Set<string>();
    for (const sha of shasOf[position] as string[]) set.add(sha);
    byRepo.set(change.repo, set);
  });
  const paths = new Map<string, string[]>();
  for (const [repo, set] of byRepo) {
    const shas = [...set];
    // In slices, so a service with a long history does not send one enormous parameter.
    for (let from = 0; from < shas.length; from += 10_000) {
      const result = await client.query({
        query: `SELECT sha, extra['paths'] FROM commits FINAL WHERE repo = {repo:String} AND sha IN {shas:Array(String)} AND extra['paths'] != ''`,
        query_params: { repo, shas: shas.slice(from, from + 10_000) },
        format: 'JSONCompactEachRow',
      });
      for (const [sha, text] of await result.json<[string, string]>()) {
        const list = parsePaths(text);
        if (list) paths.set(`${repo}@${sha}`, list);
      }
    }
  }
  const kept = changes.filter((change, position) => {
    const shas = shasOf[position] as string[];
    if (shas.length === 0) return true;
    const known = shas.map((sha) => paths.get(`${change.repo}@${sha}`));
    if (known.some((list) => list === undefined)) return true;
    return known.some((list) => (list as string[]).some((path) => catalog.ownsPath(service, path)));
  });
  if (kept.length === changes.length) return changes;
  const counts = new Map<string, number>();
  for (const change of kept) counts.set(change.deployment_id, (counts.get(change.deployment_id) ?? 0) + 1);
  deployments.forEach((deployment, ordinal) => {
    const shipment = shipments[ordinal] as Shipment;
    if (!shipment.baseline) shipment.changes = counts.get(deployment.id) ?? 0;
  });
  return kept;
}

/** `["services/api/a.ts", …]` as stored (a JSON array), or undefined when it is not one. */
function parsePaths(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}
