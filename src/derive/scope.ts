import type { Config } from '../config/schema.js';

/** Production environment names, lower-cased and de-duplicated, in the order given. Default: `config.production`. */
export function productionEnvironments(config: Config, override?: readonly string[]): string[] {
  const names = override && override.length > 0 ? override : config.production;
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter(Boolean))];
}

/** The derived tables hold one set of rows per set of production environments: this names it (`production,prod`). */
export const scopeKey = (environments: readonly string[]) => environments.join(',');

const repoName = (repo: string) => (repo.split('/').at(-1) ?? repo).toLowerCase();

/** The repositories in the store, indexed by name without owner: a service named like one deploys from it. */
export class KnownRepos {
  readonly all: readonly string[];
  private readonly byName = new Map<string, string[]>();

  constructor(repos: Iterable<string>) {
    this.all = [...repos].sort();
    for (const repo of this.all) {
      const name = repoName(repo);
      const named = this.byName.get(name);
      if (named) named.push(repo);
      else this.byName.set(name, [repo]);
    }
  }

  /** Sorted; a lookup, so deriving thousands of services stays linear in services. */
  namedLike(service: string): readonly string[] {
    return this.byName.get(service.toLowerCase()) ?? [];
  }
}

/**
 * Where a deployment's commit may live: the deployment's own `repo`; else the service
 * catalog's repos; else the repositories whose name (without owner) is the service's.
 */
export function candidateRepos(service: string, deploymentRepo: string, config: Config, known: KnownRepos): string[] {
  if (deploymentRepo) return [deploymentRepo];
  const catalog = config.services[service]?.repos ?? [];
  if (catalog.length > 0) return catalog;
  return [...known.namedLike(service)];
}

/** Every repository a service's derivation may read, for its fingerprint. */
export function serviceRepos(service: string, deploymentRepos: readonly string[], config: Config, known: KnownRepos): string[] {
  return [...new Set([...deploymentRepos, ...(config.services[service]?.repos ?? []), ...known.namedLike(service)])].sort();
}
