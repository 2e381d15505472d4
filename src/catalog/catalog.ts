import picomatch from 'picomatch';
import type { Config, ServiceEntry } from '../config/schema.js';

/**
 * The service catalog (`services` in dora.config.json, DESIGN.md §6): which repos (and
 * paths inside a monorepo), Heroku apps, PagerDuty and Opsgenie services belong to a
 * service, and its team. Collectors map every source object through it; an object no
 * entry lists keeps the source's own name and is marked unmapped, never dropped, so
 * `dora doctor` can name it.
 */

/** Where a source object landed: the catalog's service, or the name the source gave it. */
export interface Mapping {
  service: string;
  /** True when a catalog entry lists the object. */
  mapped: boolean;
}

const lower = (value: string) => value.trim().toLowerCase();

export class ServiceCatalog {
  private readonly entries: [string, ServiceEntry][];
  private readonly pathMatchers = new Map<string, (path: string) => boolean>();

  constructor(services: Config['services']) {
    // Sorted, so two entries listing the same object resolve the same way on every run.
    this.entries = Object.entries(services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  static of(config: Pick<Config, 'services'>): ServiceCatalog {
    return new ServiceCatalog(config.services);
  }

  get size(): number {
    return this.entries.length;
  }

  has(service: string): boolean {
    return this.entries.some(([name]) => name === service);
  }

  teamOf(service: string): string | undefined {
    return this.entries.find(([name]) => name === service)?.[1].team;
  }

  /** The first entry (by name) whose `key` list holds one of `candidates` (case-insensitive). */
  private find(key: 'repos' | 'heroku' | 'pagerduty' | 'opsgenie', candidates: readonly (string | undefined | null)[]): string | undefined {
    const wanted = new Set(candidates.filter((value): value is string => Boolean(value && value.trim())).map(lower));
    if (wanted.size === 0) return undefined;
    return this.entries.find(([, entry]) => entry[key].some((name) => wanted.has(lower(name))))?.[0];
  }

  private mapping(found: string | undefined, fallback: string): Mapping {
    return found ? { service: found, mapped: true } : { service: fallback, mapped: false };
  }

  /** A repository (`owner/name`): the entry listing it, else the name without the owner. */
  forRepo(repo: string): Mapping {
    return this.mapping(this.find('repos', [repo]), repo.split('/').at(-1) ?? repo);
  }

  /** A Heroku app: the entry listing it, else the pipeline's name, else the app's. */
  forHerokuApp(app: string, pipeline?: string): Mapping {
    return this.mapping(this.find('heroku', [app]), pipeline ?? app);
  }

  /** A PagerDuty service, listed by id (`P1ABCDE`) or by name: else its name. */
  forPagerDuty(service: { id: string; name?: string | undefined }): Mapping {
    return this.mapping(this.find('pagerduty', [service.id, service.name]), service.name?.trim() || service.id);
  }

  /**
   * An Opsgenie alert or incident: the entry whose `opsgenie` list names one of `names`
   * (a service named in its details or a `service:NAME` tag, its entity, an impacted
   * service) or of its plain `tags`. The first of `names` is the fallback name.
   */
  forOpsgenie(names: readonly (string | undefined | null)[], tags: readonly string[] = []): Mapping {
    const fallback = names.find((key): key is string => Boolean(key && key.trim()))?.trim() ?? 'opsgenie';
    return this.mapping(this.find('opsgenie', [...names, ...tags]), fallback);
  }

  /** Every service whose entry lists the repository (several in a monorepo). */
  servicesOfRepo(repo: string): string[] {
    const wanted = lower(repo);
    return this.entries.filter(([, entry]) => entry.repos.some((name) => lower(name) === wanted)).map(([name]) => name);
  }

  /**
   * The services a change in `repo` touching `paths` belongs to (DESIGN.md §6, monorepos):
   * entries listing the repo whose `paths` globs match one of the paths. An entry that
   * lists the repo without `paths` owns the whole repository. Paths are repository-relative
   * with `/` separators (`services/api/src/app.ts`).
   */
  servicesForPaths(repo: string, paths: readonly string[]): string[] {
    const wanted = lower(repo);
    const owners: string[] = [];
    for (const [name, entry] of this.entries) {
      if (!entry.repos.some((candidate) => lower(candidate) === wanted)) continue;
      if (entry.paths.length === 0 || paths.some((path) => this.matcher(name, entry.paths)(normalisePath(path)))) owners.push(name);
    }
    return owners;
  }

  /** Whether a path belongs to a service's globs (true for a service without globs). */
  ownsPath(service: string, path: string): boolean {
    const entry = this.entries.find(([name]) => name === service)?.[1];
    if (!entry || entry.paths.length === 0) return true;
    return this.matcher(service, entry.paths)(normalisePath(path));
  }

  private matcher(service: string, globs: string[]): (path: string) => boolean {
    let match = this.pathMatchers.get(service);
    if (!match) {
      // `dot`: `services/api/**` must also cover `services/api/.env.example`.
      match = picomatch(globs.map(normalisePath), { dot: true });
      this.pathMatchers.set(service, match);
    }
    return match;
  }
}

/** `./services/api/` and `services\api` -> `services/api`. */
export function normalisePath(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}
