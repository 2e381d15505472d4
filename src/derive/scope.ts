import type { Config } from '../config/schema.js';

/** Production environment names, lower-cased and de-duplicated, in the order given. Default: `config.production`. */
export function productionEnvironments(config: Config, override?: readonly string[]): string[] {
  const names = override && override.length > 0 ? override : config.production;
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter(Boolean))];
}

/** The derived tables hold one set of rows per set of production environments: this names it (`production,prod`). */
export const scopeKey = (environments: readonly string[]) => environments.join(',');

const repoName = (repo: string) => (repo.split('/').at(-1) ?? repo).toLowerCase();

/**
 * Where a deployment's commit may live: the deployment's own `repo`; else the service
 * catalog's repos; else the repositories whose name (without owner) is the service's.
 */
export function candidateRepos(service: string, deploymentRepo: string, config: Config, knownRepos: readonly string[]): string[] {
  if (deploymentRepo) return [deploymentRepo];
  const catalog = config.services[service]?.repos ?? [];
  if (catalog.length > 0) return catalog;
  return knownRepos.filter((repo) => repoName(repo) === service.toLowerCase()).sort();
}

/** Every repository a service's derivation may read, for its fingerprint. */
export function serviceRepos(service: string, deploymentRepos: readonly string[], config: Config, knownRepos: readonly string[]): string[] {
  const repos = new Set([...deploymentRepos, ...(config.services[service]?.repos ?? [])]);
  for (const repo of knownRepos) if (repoName(repo) === service.toLowerCase()) repos.add(repo);
  return [...repos].sort();
}
